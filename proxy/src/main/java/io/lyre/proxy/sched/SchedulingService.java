package io.lyre.proxy.sched;

import io.lyre.proxy.control.HttpReply;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerReply;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.EngineDirectory;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.scheduler.BindException;
import io.lyre.scheduler.Binder;
import io.lyre.scheduler.Explanation;
import io.lyre.scheduler.Placement;
import io.lyre.scheduler.PlacementOutcome;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.docker.ContainerDeviceBinding;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.policy.PolicyHash;
import io.lyre.scheduler.policy.PolicyService;
import io.lyre.scheduler.recovery.Drainer;
import io.lyre.scheduler.recovery.EngineContainer;
import io.lyre.scheduler.recovery.ReconcileAction;
import io.lyre.scheduler.recovery.Reconciler;
import io.lyre.scheduler.recovery.Rescheduler;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.PlacementStore;
import io.lyre.scheduler.store.SchedulerEvent;
import io.lyre.scheduler.store.StoredPlacement;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler inside the proxy: builds engine snapshots from the registered engines, places ExApps on create
 * (reserve, then docker create with the device binding as the bind step; a failed bind releases and tries the
 * next engine), persists placements, releases them when start fails or the app is removed, and reconciles the
 * store with an engine's io.lyre-labelled containers when the engine comes (startup, agent reconnect).
 */
public final class SchedulingService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SchedulingService.class);

    /** Runs AppAPI's create on one engine with the scheduler's binding; 201 means bound. */
    @FunctionalInterface
    public interface CreateOnEngine {
        HttpReply create(Engine engine, ContainerDeviceBinding binding);
    }

    /** What AppAPI asked at create, kept to explain and to place the app again (drain, lost engine). */
    private record Ask(String computeDevice, Long memory, Long nanoCpus, JsonObject body) {
    }

    private final PlacementStore store;
    private final PolicyService policies;
    private final AllocationLedger ledger = new AllocationLedger();
    private final EngineDirectory engines;
    private final ExAppPlacements placements;
    private final SchedulingMetrics metrics;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Ask> asks = new ConcurrentHashMap<>();
    private volatile CreateOnEngine rebinder;

    public SchedulingService(PlacementStore store, EngineDirectory engines, ExAppPlacements placements, SchedulingMetrics metrics) {
        this.store = store;
        this.policies = new PolicyService(store);
        this.engines = engines;
        this.placements = placements;
        this.metrics = metrics;
        for (StoredPlacement p : store.all()) {
            ledger.adopt(p.reservation());
        }
    }

    public PolicyService policies() {
        return policies;
    }

    public PlacementStore store() {
        return store;
    }

    public AllocationLedger ledger() {
        return ledger;
    }

    /** How drain and a lost engine re-create an app elsewhere (ControlApi's create + start). */
    public void rebinder(CreateOnEngine r) {
        this.rebinder = r;
    }

    /** The scheduler's view of every registered engine now. */
    public List<io.lyre.scheduler.model.Engine> snapshots() {
        List<io.lyre.scheduler.model.Engine> out = new ArrayList<>();
        for (Engine e : engines.engines()) {
            if (e.slot() < io.lyre.scheduler.model.Engine.FIRST_SLOT || e.slot() > io.lyre.scheduler.model.Engine.LAST_SLOT) {
                continue;
            }
            out.add(io.lyre.scheduler.model.Engine.of(e.id(), e.slot(), e.labels(), state(e), e.inventory()));
        }
        return out;
    }

    private static EngineState state(Engine e) {
        return switch (e.state()) {
            case "ready" -> EngineState.READY;
            case "draining" -> EngineState.DRAINING;
            default -> EngineState.LOST;
        };
    }

    private Optional<Engine> engineById(String id) {
        return engines.engines().stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** The requirement of an app from AppAPI's create body and its policy. */
    public Requirement requirement(String app, JsonObject body, int slot) {
        Ask ask = ask(body);
        Requirement r = policies.requirementFor(app, ask.computeDevice, ask.memory, ask.nanoCpus);
        return slot == EngineDirectory.SCHEDULER_CHOOSES ? r : r.withSlot(slot);
    }

    private static Ask ask(JsonObject body) {
        Object limits = body.getValue("resource_limits");
        Long mem = limits instanceof JsonObject l && l.getValue("memory") instanceof Number n ? n.longValue() : null;
        Long cpu = limits instanceof JsonObject l && l.getValue("nanoCPUs") instanceof Number n ? n.longValue() : null;
        String device = body.getValue("compute_device") instanceof String d && !d.isEmpty() ? d.toLowerCase(Locale.ROOT) : "cpu";
        return new Ask(device, mem, cpu, body.copy());
    }

    /**
     * AppAPI's create through the scheduler. Answers the engine's own reply when it refused the container (409,
     * a missing image), 503 naming the reasons when no engine fits.
     */
    public HttpReply create(String app, int slot, JsonObject body, CreateOnEngine creator) {
        Requirement requirement = requirement(app, body, slot);
        HttpReply[] created = new HttpReply[1];
        HttpReply[] refused = new HttpReply[1];
        Binder binder = (placement, engine) -> {
            Engine e = engineById(placement.engineId()).orElseThrow(() -> new BindException("engine " + placement.engineId() + " is gone"));
            HttpReply r = creator.create(e, ContainerDeviceBinding.of(placement));
            if (r.status() != 201) {
                refused[0] = r;
                throw new BindException("create answered " + r.status() + ": " + r.bodyText());
            }
            created[0] = r;
        };
        long t0 = System.nanoTime();
        PlacementOutcome outcome = Scheduler.standard(ledger, binder).schedule(requirement, PolicyHash.of(requirement), snapshots());
        metrics.scheduled(Duration.ofNanos(System.nanoTime() - t0));
        Instant now = clock.instant();
        if (outcome.isPlaced()) {
            Placement p = outcome.placement();
            store.byApp(app).ifPresent(old -> {
                ledger.release(old.placementId());
                store.remove(old.placementId(), SchedulerEvent.of(now, SchedulerEvent.RELEASED, app, old.engineId(), "created again"));
            });
            store.save(StoredPlacement.of(p, PlacementState.BOUND, now),
                    SchedulerEvent.of(now, SchedulerEvent.PLACED, app, p.engineId(), p.deviceIds().isEmpty() ? requirement.describe()
                            : requirement.describe() + " -> " + p.deviceIds()));
            asks.put(app, ask(body));
            store.saveCreateRequest(app, withoutMasterKey(body).encode());
            metrics.placed("placed", "placed");
            LOG.infof("placed %s on %s %s", app, p.engineId(), p.deviceIds());
            return created[0];
        }
        String why = String.join("; ", outcome.reasons());
        store.append(SchedulerEvent.of(now, SchedulerEvent.REFUSED, app, null, why));
        metrics.placed("failed", refused[0] != null ? "bind" : "no_fit");
        if (refused[0] != null && refused[0].status() != 503) {
            return refused[0];
        }
        return HttpReply.text(503, "No Docker Engine available for " + app + ": " + why);
    }

    /** The app's placement is given up (start failed, removed): its reservation and stored placement go. */
    public void release(String app, String why) {
        Optional<StoredPlacement> p = store.byApp(app);
        if (p.isEmpty()) {
            return;
        }
        ledger.release(p.get().placementId());
        store.remove(p.get().placementId(), SchedulerEvent.of(clock.instant(), SchedulerEvent.RELEASED, app, p.get().engineId(), why));
        store.deleteCreateRequest(app);
        asks.remove(app);
        LOG.infof("released %s on %s: %s", app, p.get().engineId(), why);
    }

    public Explanation explain(String app) {
        Ask a = askOf(app).orElse(null);
        Requirement r = policies.requirementFor(app, a == null ? "cpu" : a.computeDevice, a == null ? null : a.memory,
                a == null ? null : a.nanoCpus);
        return Scheduler.standard(ledger, Binder.NONE).explain(r, snapshots());
    }

    /** Brings store and ledger in line with the engine's io.lyre-labelled containers; records the app placements. */
    public List<ReconcileAction> reconcile(Engine engine) {
        DockerEngineApi api = new DockerEngineApi(engine);
        String filter = URLEncoder.encode(new JsonObject().put("label", new JsonArray().add("io.lyre.app")).encode(), StandardCharsets.UTF_8);
        DockerReply r = api.get("/containers/json?all=1&filters=" + filter);
        if (!r.ok()) {
            LOG.warnf("cannot list containers of %s to reconcile: %s", engine, r.message());
            return List.of();
        }
        List<EngineContainer> containers = new ArrayList<>();
        for (Object o : r.jsonArray()) {
            JsonObject c = (JsonObject) o;
            Map<String, String> labels = new HashMap<>();
            c.getJsonObject("Labels", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            JsonArray names = c.getJsonArray("Names", new JsonArray());
            String name = names.isEmpty() ? "" : names.getString(0).replaceFirst("^/", "");
            containers.add(new EngineContainer(c.getString("Id"), name, labels, c.getString("State", "")));
        }
        Instant now = clock.instant();
        List<ReconcileAction> actions = Reconciler.plan(engine.id(), store.all(), containers, now);
        for (ReconcileAction a : actions) {
            try {
                if (a instanceof ReconcileAction.Adopt adopt) {
                    store.save(adopt.placement(), SchedulerEvent.of(now, SchedulerEvent.ADOPTED, adopt.placement().app(), engine.id(),
                            "container " + adopt.containerId()));
                    ledger.adopt(adopt.placement().reservation());
                } else if (a instanceof ReconcileAction.RemoveStale stale) {
                    api.delete("/containers/" + stale.containerId() + "?force=true");
                    store.append(SchedulerEvent.of(now, "STALE_REMOVED", stale.app(), engine.id(), stale.reason()));
                } else if (a instanceof ReconcileAction.Replace replace) {
                    // the container is gone: without AppAPI's create it cannot be made again here; give the room back
                    release(replace.placement().app(), replace.reason());
                }
            } catch (RuntimeException e) {
                LOG.warnf("reconcile of %s on %s: %s failed: %s", engine.id(), a, e.getMessage());
            }
        }
        for (StoredPlacement p : store.onEngine(engine.id())) {
            if (p.state() == PlacementState.LOST) {
                // its engine is back and its container with it (a missing one was released above): bound again
                store.save(p.withState(PlacementState.BOUND, now), SchedulerEvent.of(now, "RECOVERED", p.app(), engine.id(),
                        "engine " + engine.id() + " is back with the container of " + p.app()));
            }
            placements.record(new ExAppPlacement(p.app(), engine, "nc_app_" + p.app()));
        }
        LOG.infof("reconciled %s: %d action(s)", engine, actions.size());
        return actions;
    }

    private Binder rebindBinder() {
        return new Binder() {
            @Override
            public void bind(Placement placement, io.lyre.scheduler.model.Engine target) throws BindException {
                Ask a = askOf(placement.app()).orElse(null);
                CreateOnEngine r = rebinder;
                Engine e = engineById(placement.engineId()).orElseThrow(() -> new BindException("engine gone"));
                if (a == null || r == null) {
                    throw new BindException("AppAPI's create request for " + placement.app() + " is not known (never created through this proxy)");
                }
                HttpReply reply = r.create(e, ContainerDeviceBinding.of(placement));
                if (reply.status() != 201 && reply.status() != 204) {
                    throw new BindException(reply.status() + ": " + reply.bodyText());
                }
                placements.record(new ExAppPlacement(placement.app(), e, "nc_app_" + placement.app()));
            }

            @Override
            public void unbind(String engineId, String app, String placementId) {
                engineById(engineId).filter(Engine::ready).ifPresent(e -> {
                    try {
                        new DockerEngineApi(e).delete("/containers/nc_app_" + app + "?force=true");
                    } catch (RuntimeException ex) {
                        LOG.warnf("could not remove %s from %s after it moved: %s", app, engineId, ex.getMessage());
                    }
                });
            }
        };
    }

    private Optional<Requirement> requirementOf(String app) {
        Ask a = askOf(app).orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        return Optional.of(policies.requirementFor(app, a.computeDevice, a.memory, a.nanoCpus));
    }

    /** An engine is lost past its grace: move what may move. */
    public Rescheduler.Report engineLost(String engineId) {
        Instant now = clock.instant();
        Rescheduler.Report report = new Rescheduler(Scheduler.standard(ledger, rebindBinder()), store, this::requirementOf,
                Duration.ZERO).onEngineLost(engineId, now, now, snapshots());
        report.moved().forEach(app -> metrics.placed("placed", "moved"));
        report.failed().forEach(app -> metrics.placed("failed", "move"));
        return report;
    }

    /** Moves every app off an engine (lyre drain). */
    public List<Drainer.Move> drain(String engineId) {
        List<Drainer.Move> moves = new Drainer(Scheduler.standard(ledger, rebindBinder()), store, this::requirementOf, clock)
                .drain(engineId, snapshots());
        moves.forEach(m -> metrics.placed(m.moved() ? "placed" : "failed", m.moved() ? "moved" : "move"));
        return moves;
    }

    /** The create body AppAPI sent for an app (kept in the store, so known after a restart too). */
    public Optional<JsonObject> createBody(String app) {
        return askOf(app).map(a -> a.body);
    }

    /** What AppAPI asked for an app: from memory, else from the store (written at create, survives restarts). */
    private Optional<Ask> askOf(String app) {
        Ask a = asks.get(app);
        if (a != null) {
            return Optional.of(a);
        }
        try {
            return store.createRequest(app).map(json -> asks.computeIfAbsent(app, k -> ask(new JsonObject(json))));
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the create request of %s: %s", app, e.getMessage());
            return Optional.empty();
        }
    }

    /** The master key and FRP settings are dropped at create anyway: they are not kept at rest either. */
    static JsonObject withoutMasterKey(JsonObject body) {
        JsonObject copy = body.copy();
        if (copy.getValue("environment_variables") instanceof JsonArray env) {
            JsonArray kept = new JsonArray();
            for (Object e : env) {
                String v = String.valueOf(e);
                if (!v.startsWith("HP_SHARED_KEY=") && !v.startsWith("HP_FRP_ADDRESS=") && !v.startsWith("HP_FRP_PORT=")) {
                    kept.add(e);
                }
            }
            copy.put("environment_variables", kept);
        }
        return copy;
    }

    @Override
    public void close() {
        store.close();
    }
}
