package io.lyre.proxy.metrics;

import io.lyre.devices.Device;
import io.lyre.devices.HostInventory;
import io.lyre.proxy.FrontDoorMetrics;
import io.lyre.proxy.ProxyCore;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.lyre.proxy.tunnel.TunnelHost;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.ledger.Reservation;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.ReceiveBudget;
import io.lyre.tunnel.TunnelTraffic;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.AgentRegistry;
import io.lyre.tunnel.server.EngineState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

/**
 * The proxy's metrics (docs/metrics.md, "Proxy") in a Micrometer registry: Quarkus's Prometheus registry,
 * served on the management port at /q/metrics. Events come in through {@link FrontDoorMetrics},
 * {@link SchedulingMetrics} and {@link TunnelTraffic}; fleet state (agents, devices, allocations, bans) is read
 * from a bound {@link ProxyCore}: gauge values when scraped, the set of label values on {@link #refresh()}
 * (every few seconds, and when an engine comes or goes).
 *
 * <p>Labels stay bounded: {@code app} is an app id Nextcloud or AppAPI vouched for, else "unknown"; endpoints,
 * kinds, directions, results and reasons come from fixed sets; agents, hosts and devices are the fleet's own.
 */
public final class ProxyMetrics implements FrontDoorMetrics, SchedulingMetrics, TunnelTraffic {
    private static final Logger LOG = Logger.getLogger(ProxyMetrics.class);

    /** Latency buckets of requests: 1 ms to 60 s. */
    static final Duration[] REQUEST_BUCKETS = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000);
    /** Latency buckets of one placement decision: 0.1 ms to 5 s. */
    static final Duration[] SCHEDULING_BUCKETS = millis(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000);
    static final List<String> AGENT_STATES = List.of("ready", "draining", "disconnected", "lost");
    static final List<String> EXCHANGE_KINDS = List.of("http", "websocket", "raw", "docker");

    private final MeterRegistry registry;
    private final Map<String, Timer> exappRequests = new ConcurrentHashMap<>();
    private final Map<String, Timer> controlRequests = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> webSockets = new ConcurrentHashMap<>();
    private final Map<String, Counter> bans = new ConcurrentHashMap<>();
    private final Map<String, Counter> userInfo = new ConcurrentHashMap<>();
    private final Map<String, Counter> placements = new ConcurrentHashMap<>();
    private final Map<String, Counter> tunnelCounters = new ConcurrentHashMap<>();
    private final Timer scheduling;
    private final MultiGauge agentState;
    private final MultiGauge exchangesActive;
    private final MultiGauge devices;
    private final MultiGauge deviceMemory;
    private final MultiGauge devicesAllocated;
    private volatile ProxyCore core;
    /** agent id -> its label: the agent's name, or "name/id" while another agent has the same name. */
    private volatile Map<String, String> agentLabels = Map.of();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String entry : List.of("http", "tunnel")) {
            counter(bans, "lyre.bans", "source addresses banned by brute-force protection", "entry", entry);
        }
        for (String result : List.of("call", "cache_hit")) {
            counter(userInfo, "lyre.user.info.requests", "user-info call-backs to Nextcloud and session-cache hits", "result", result);
        }
        placed("placed", "placed", 0);
        placed("failed", "no_fit", 0);
        placed("failed", "bind", 0);
        placed("placed", "moved", 0);
        placed("failed", "move", 0);
        scheduling = Timer.builder("lyre.scheduling").description("time to decide one placement")
                .serviceLevelObjectives(SCHEDULING_BUCKETS).register(registry);
        Gauge.builder("lyre.agents.connected", this, m -> m.tunnel().map(t -> t.server().connections().size()).orElse(0))
                .description("agents with a live tunnel").register(registry);
        Gauge.builder("lyre.tunnel.receive.held.bytes", this, m -> m.receiveBudget(ReceiveBudget::held))
                .description("bytes exchanges hold for their readers past each one's first quarter window")
                .register(registry);
        Gauge.builder("lyre.tunnel.receive.budget.bytes", this, m -> m.receiveBudget(ReceiveBudget::limit))
                .description("what exchanges with stalled readers may hold together before they are dropped")
                .register(registry);
        FunctionCounter.builder("lyre.tunnel.receive.dropped", this, m -> m.receiveBudget(ReceiveBudget::droppedExchanges))
                .description("exchanges dropped because their reader stalled with the receive budget spent")
                .register(registry);
        Gauge.builder("lyre.banned.addresses", this, ProxyMetrics::bannedNow)
                .description("addresses banned now").register(registry);
        agentState = MultiGauge.builder("lyre.agent.state").description("1 for the agent's current state").register(registry);
        exchangesActive = MultiGauge.builder("lyre.tunnel.exchanges.active").description("exchanges in flight").register(registry);
        devices = MultiGauge.builder("lyre.devices").description("devices known per host").register(registry);
        deviceMemory = MultiGauge.builder("lyre.device.memory.bytes").description("memory of each device").register(registry);
        devicesAllocated = MultiGauge.builder("lyre.devices.allocated").description("devices held by placements").register(registry);
    }

    private static Duration[] millis(double... ms) {
        Duration[] d = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            d[i] = Duration.ofNanos(Math.round(ms[i] * 1_000_000));
        }
        return d;
    }

    /** Reads fleet state from {@code core} from now on and keeps the gauges' label sets current. */
    public ProxyMetrics bind(ProxyCore core) {
        this.core = core;
        core.tunnel().ifPresent(t -> t.addListener(new TunnelHost.EngineEvents() {
            @Override
            public void stateChanged(io.lyre.proxy.tunnel.TunnelEngine engine, EngineState previous, EngineState current) {
                refresh();
            }
        }));
        refresh();
        return this;
    }

    private Optional<TunnelHost> tunnel() {
        ProxyCore c = core;
        return c == null ? Optional.empty() : c.tunnel();
    }

    /** One figure of the tunnel's receive budget; 0 without a tunnel. */
    private long receiveBudget(ToLongFunction<ReceiveBudget> figure) {
        return tunnel().map(t -> figure.applyAsLong(t.server().receiveBudget())).orElse(0L);
    }

    private double bannedNow() {
        ProxyCore c = core;
        if (c == null || c.server() == null) {
            return 0;
        }
        return c.server().guard().bannedCount() + c.tunnel().map(t -> t.server().refusals().blockedCount()).orElse(0);
    }

    // ------------------------------------------------------------------ front door

    @Override
    public void exappRequest(String app, int status, Duration took) {
        String cls = FrontDoorMetrics.statusClass(status);
        exappRequests.computeIfAbsent(app + "\0" + cls, k -> Timer.builder("lyre.exapp.requests")
                .description("ExApp requests through /exapps/<app>/, by outcome").tags("app", app, "status_class", cls)
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)).record(took);
    }

    @Override
    public void controlRequest(String endpoint, int status, Duration took) {
        String cls = FrontDoorMetrics.statusClass(status);
        controlRequests.computeIfAbsent(endpoint + "\0" + cls, k -> Timer.builder("lyre.control.requests")
                .description("AppAPI control and Docker requests under /exapps/app_api/").tags("endpoint", endpoint, "status_class", cls)
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)).record(took);
    }

    private AtomicInteger webSocketGauge(String app) {
        return webSockets.computeIfAbsent(app, a -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("lyre.exapp.websockets.open", n, AtomicInteger::get).description("WebSocket sessions open now")
                    .tag("app", a).strongReference(true).register(registry);
            return n;
        });
    }

    @Override
    public void webSocketOpened(String app) {
        webSocketGauge(app).incrementAndGet();
    }

    @Override
    public void webSocketClosed(String app) {
        webSocketGauge(app).decrementAndGet();
    }

    @Override
    public void banned(String entry) {
        counter(bans, "lyre.bans", "source addresses banned by brute-force protection", "entry", entry).increment();
    }

    @Override
    public void userInfo(boolean cacheHit) {
        userInfo.get(cacheHit ? "cache_hit" : "call").increment();
    }

    // ------------------------------------------------------------------ scheduler

    @Override
    public void scheduled(Duration took) {
        scheduling.record(took);
    }

    @Override
    public void placed(String result, String reason) {
        placed(result, reason, 1);
    }

    private void placed(String result, String reason, int n) {
        placements.computeIfAbsent(result + "\0" + reason, k -> Counter.builder("lyre.placements").description("placement decisions")
                .tags("result", result, "reason", reason).register(registry)).increment(n);
    }

    // ------------------------------------------------------------------ tunnel

    @Override
    public void opened(AgentRecord agent, Open open) {
        String kind = kind(open);
        if (kind != null) {
            tunnelCounter("lyre.tunnel.exchanges", "exchanges opened", agent, "kind", kind).increment();
        }
    }

    static String kind(Open open) {
        return switch (open.getKind()) {
            case HTTP -> "http";
            case WEBSOCKET -> "websocket";
            case DOCKER -> "docker";
            case RAW -> open.getHeadersList().stream().anyMatch(ProxyMetrics::webSocketUpgrade) ? "websocket" : "raw";
            default -> null;
        };
    }

    private static boolean webSocketUpgrade(Header h) {
        return h.getName().equalsIgnoreCase("upgrade") && h.getValue().equalsIgnoreCase("websocket");
    }

    @Override
    public LongConsumer bytes(AgentRecord agent, boolean toAgent) {
        Counter c = tunnelCounter("lyre.tunnel.bytes", "bytes carried by tunnel exchanges", agent, "direction",
                toAgent ? "to_agent" : "from_agent");
        return c::increment;
    }

    private Counter tunnelCounter(String name, String description, AgentRecord agent, String key, String value) {
        String label = agentLabel(agent.id(), agent.name());
        return tunnelCounters.computeIfAbsent(name + "\0" + label + "\0" + value, k -> Counter.builder(name).description(description)
                .tags("agent", label, key, value).register(registry));
    }

    private String agentLabel(String id, String name) {
        return agentLabels.getOrDefault(id, name);
    }

    private Counter counter(Map<String, Counter> cache, String name, String description, String key, String value) {
        return cache.computeIfAbsent(value, v -> Counter.builder(name).description(description).tag(key, v).register(registry));
    }

    // ------------------------------------------------------------------ fleet gauges

    /** Brings the label sets of the fleet gauges in line with the agents, engines and devices known now. */
    public synchronized void refresh() {
        ProxyCore c = core;
        if (c == null) {
            return;
        }
        // each part on its own: a failure in one must not leave the other's gauges half-registered
        try {
            refreshAgents(c);
        } catch (RuntimeException e) {
            LOG.warnf(e, "metrics refresh of the agents failed");
        }
        try {
            refreshDevices(c);
        } catch (RuntimeException e) {
            LOG.warnf(e, "metrics refresh of the devices failed");
        }
    }

    private void refreshAgents(ProxyCore c) {
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        List<MultiGauge.Row<?>> active = new ArrayList<>();
        c.tunnel().ifPresent(t -> {
            AgentRegistry agents = t.server().registry();
            List<AgentRecord> live = agents.list().stream().map(AgentRegistry.AgentStatus::agent).filter(a -> !a.revoked()).toList();
            Map<String, Long> named = new HashMap<>();
            live.forEach(a -> named.merge(a.name(), 1L, Long::sum));
            Map<String, String> labels = new HashMap<>();
            live.forEach(a -> labels.put(a.id(), named.get(a.name()) > 1 ? a.name() + "/" + a.id() : a.name()));
            agentLabels = Map.copyOf(labels);
            for (AgentRecord a : live) {
                String label = labels.get(a.id());
                for (String state : AGENT_STATES) {
                    states.add(MultiGauge.Row.of(Tags.of("agent", label, "state", state),
                            () -> agents.state(a.id()).name().toLowerCase(Locale.ROOT).equals(state) ? 1 : 0));
                }
                active.add(MultiGauge.Row.of(Tags.of("agent", label),
                        () -> t.server().connection(a.id()).map(AgentConnection::activeExchanges).orElse(0)));
            }
        });
        agentState.register(states, true);
        exchangesActive.register(active, true);
    }

    private void refreshDevices(ProxyCore c) {
        Map<Tags, Integer> known = new TreeMap<>(ProxyMetrics::compare);
        Map<Tags, Integer> allocated = new TreeMap<>(ProxyMetrics::compare);
        List<MultiGauge.Row<?>> memory = new ArrayList<>();
        Set<Tags> seenMemory = new HashSet<>();
        for (Engine e : c.engines().engines()) {
            HostInventory inv = e.inventory();
            Set<String> held = new HashSet<>();
            if (c.scheduling() != null) {
                for (Reservation r : c.scheduling().ledger().onEngine(e.id())) {
                    for (DeviceClaim claim : r.devices()) {
                        held.add(claim.deviceId());
                    }
                }
            }
            for (Device d : inv.devices()) {
                Tags group = Tags.of("host", agentLabel(e.id(), e.name()), "kind", d.kind().name(), "vendor", orUnknown(d.vendor()), "model", orUnknown(d.model()));
                known.merge(group, 1, Integer::sum);
                allocated.merge(group, held.contains(d.id()) ? 1 : 0, Integer::sum);
                Tags one = group.and("device", d.id());
                if (seenMemory.add(one)) {
                    memory.add(MultiGauge.Row.of(one, d.memoryBytes()));
                }
            }
        }
        devices.register(rows(known), true);
        devicesAllocated.register(rows(allocated), true);
        deviceMemory.register(memory, true);
    }

    private static List<MultiGauge.Row<?>> rows(Map<Tags, Integer> counts) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((tags, n) -> rows.add(MultiGauge.Row.of(tags, n)));
        return rows;
    }

    private static int compare(Tags a, Tags b) {
        return a.toString().compareTo(b.toString());
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s.strip();
    }
}
