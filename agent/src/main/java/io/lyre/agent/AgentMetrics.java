package io.lyre.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lyre.devices.Device;
import io.lyre.devices.HostInventory;
import io.lyre.tunnel.proto.Open;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's metrics (docs/metrics.md, "Agent"), kept in a Micrometer Prometheus registry and served in the
 * Prometheus text format on {@code GET /metrics} by the JDK's HTTP server when an address is given.
 *
 * <p>Counted at the edges, so the relays stay as they are: exchanges where {@link ExchangeRouter} receives them,
 * relay bytes through Vert.x's metrics SPI on the agent's Vert.x instance (what Vert.x reports for the agent's
 * HTTP, WebSocket and TCP client connections to containers: HTTP bodies, WebSocket and TCP payload; the Docker
 * API exchanges do not go through Vert.x and are not counted),
 * the tunnel state from the {@code TunnelClient}, the devices from the inventory the agent sends.
 */
final class AgentMetrics implements AutoCloseable {

    /** Where to serve the metrics, {@code HOST:PORT}; unset or empty: not served. */
    static final String ENV_ADDRESS = "LYRE_AGENT_METRICS_ADDRESS";

    private static final Logger LOG = LoggerFactory.getLogger(AgentMetrics.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Open.Kind, Counter> exchanges = new EnumMap<>(Open.Kind.class);
    private final Counter toContainer;
    private final Counter fromContainer;
    private final MultiGauge devices;
    private volatile BooleanSupplier connected = () -> false;
    private volatile IntSupplier connects = () -> 0;
    private HttpServer server;

    AgentMetrics() {
        Gauge.builder("lyre.agent.tunnel.connected", this, m -> m.connected.getAsBoolean() ? 1 : 0)
                .description("1 while the tunnel to the proxy is up").register(registry);
        FunctionCounter.builder("lyre.agent.reconnects", this, m -> Math.max(0, m.connects.getAsInt() - 1))
                .description("tunnel re-dials that reached the proxy again").register(registry);
        for (Open.Kind kind : List.of(Open.Kind.HTTP, Open.Kind.WEBSOCKET, Open.Kind.RAW, Open.Kind.DOCKER)) {
            exchanges.put(kind, Counter.builder("lyre.agent.exchanges").tag("kind", kindLabel(kind))
                    .description("exchanges served").register(registry));
        }
        toContainer = relayBytes("to_container");
        fromContainer = relayBytes("from_container");
        devices = MultiGauge.builder("lyre.agent.devices").description("devices in this host's inventory").register(registry);
    }

    private Counter relayBytes(String direction) {
        return Counter.builder("lyre.agent.relay.bytes").tag("direction", direction)
                .description("bytes relayed to and from containers").register(registry);
    }

    static String kindLabel(Open.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Reads the tunnel state from the client once it exists. */
    void bindTunnel(BooleanSupplier isConnected, IntSupplier connectCount) {
        this.connected = isConnected;
        this.connects = connectCount;
    }

    void exchangeOpened(Open.Kind kind) {
        Counter c = exchanges.get(kind);
        if (c == null) {
            c = exchanges.computeIfAbsent(kind, k -> Counter.builder("lyre.agent.exchanges").tag("kind", kindLabel(k))
                    .description("exchanges served").register(registry));
        }
        c.increment();
    }

    /** The inventory JSON the agent sends in its hello; unreadable JSON leaves the gauge as it was. */
    void inventory(byte[] json) {
        if (json == null) {
            return;
        }
        HostInventory inv;
        try {
            inv = InventoryJson.read(new String(json, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.debug("inventory not counted: {}", e.toString());
            return;
        }
        Map<List<String>, Integer> counts = new TreeMap<>((a, b) -> String.join("\0", a).compareTo(String.join("\0", b)));
        for (Device d : inv.devices()) {
            counts.merge(List.of(d.kind().name(), orUnknown(d.vendor()), orUnknown(d.model())), 1, Integer::sum);
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        counts.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of("kind", k.get(0), "vendor", k.get(1), "model", k.get(2)), n)));
        devices.register(rows, true);
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s.strip();
    }

    /** Vert.x options that count the bytes of every client connection the agent's Vert.x makes. */
    MetricsOptions vertxMetricsOptions() {
        VertxMetrics vm = new VertxMetrics() {
            @Override
            public HttpClientMetrics<?, ?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
                return new HttpClientMetrics<Object, Object, Object, Object>() {
                    @Override
                    public void bytesRead(Object socket, SocketAddress remote, long n) {
                        fromContainer.increment(n);
                    }

                    @Override
                    public void bytesWritten(Object socket, SocketAddress remote, long n) {
                        toContainer.increment(n);
                    }
                };
            }

            @Override
            public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
                return new TCPMetrics<Object>() {
                    @Override
                    public void bytesRead(Object socket, SocketAddress remote, long n) {
                        fromContainer.increment(n);
                    }

                    @Override
                    public void bytesWritten(Object socket, SocketAddress remote, long n) {
                        toContainer.increment(n);
                    }
                };
            }
        };
        return new MetricsOptions().setEnabled(true).setFactory(options -> vm);
    }

    /** The Prometheus text exposition of everything above. */
    String scrape() {
        return registry.scrape();
    }

    /** Serves {@code GET /metrics} on {@code address}; returns the bound address (port 0 picks one). */
    InetSocketAddress serve(InetSocketAddress address) throws IOException {
        HttpServer s = HttpServer.create(address, 16);
        s.createContext("/", this::handle);
        s.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lyre-agent-metrics");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        server = s;
        return s.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"/metrics".equals(path)) {
                reply(ex, 404, "text/plain; charset=utf-8", "not found: try /metrics\n");
            } else if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                reply(ex, 200, CONTENT_TYPE, scrape());
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * {@code HOST:PORT}, {@code [v6]:PORT} or {@code :PORT} (all interfaces). Null for null, blank or {@code off}.
     */
    static InetSocketAddress parseAddress(String s) {
        if (s == null || s.isBlank() || "off".equalsIgnoreCase(s.strip())) {
            return null;
        }
        String t = s.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("metrics address '" + s + "' is not HOST:PORT");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics address '" + s + "': bad port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics address '" + s + "': port out of range");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public void close() {
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
        }
        registry.close();
    }
}
