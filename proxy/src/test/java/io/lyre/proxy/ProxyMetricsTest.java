package io.lyre.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.lyre.agent.MetricsContract;
import io.lyre.agent.Promtool;
import io.lyre.agent.PromQlMetricNames;
import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.devices.Health;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.tunnel.TunnelEngine;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.TunnelProtocol;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.JoinClient;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.DockerFacts;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Hello;
import io.lyre.tunnel.proto.Open;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running proxy's /q/metrics on the management port, after traffic of every kind: ExApp requests (direct,
 * through an in-process agent's tunnel, an unknown app), a WebSocket, user-info calls and a cache hit, a ban,
 * AppAPI control requests and a placement the scheduler refuses. The scrape passes {@code promtool check
 * metrics}, carries every metric of docs/metrics.md's "Proxy" table with its type and labels, and every
 * proxy series the Grafana dashboard queries.
 */
@QuarkusTest
@WithTestResource(NextcloudTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyMetricsTest {
    private static final String AGENT = "metrics-agent";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:\\\\.|[^\"\\\\])*)\"");

    /** One sample line of the scrape. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static String scrape;
    private static String contentType;
    private static TunnelClient agent;
    private static WebSocket webSocket;

    @Inject
    LyreProxy proxy;

    @AfterAll
    static void closeAll() {
        if (webSocket != null) {
            webSocket.abort();
        }
        if (agent != null) {
            agent.close();
        }
    }

    /** The traffic, then one scrape that every test here reads. */
    private synchronized String scrape() throws Exception {
        if (scrape == null) {
            traffic();
            Response r = given().accept("text/plain").get("/q/metrics");
            // The fleet gauges' label sets follow the engines on refresh (every 5 s and on engine changes); once in a
            // CI run the first scrape came before they caught up with the overridden inventory: refresh and look again.
            for (int i = 0; i < 20 && !r.asString().contains("# TYPE lyre_devices gauge"); i++) {
                Thread.sleep(500);
                proxy.metrics().refresh();
                r = given().accept("text/plain").get("/q/metrics");
            }
            r.then().statusCode(200);
            contentType = r.contentType();
            scrape = r.asString();
            Files.writeString(Path.of("target/proxy-metrics-scrape.txt"), scrape); // for a human who wants to look
        }
        return scrape;
    }

    private void traffic() throws Exception {
        ProxyCore core = proxy.core();
        int port = core.server().httpPort();
        TunnelEngine engine = connectAgent(core);
        engine.overrideInventory(new HostInventory(HostFacts.unknown("metrics-host"), List.of(
                new Device("GPU-sim-0", DeviceKind.GPU, "NVIDIA", "Simulated A100", 8L << 30, 108, Map.of(), Health.HEALTHY, "", Set.of("test"))),
                List.of()));
        core.placements().record(new ExAppPlacement("tunnel-app", engine, "nc_app_tunnel-app"));

        // ExApp requests: direct, with a session (user-info call, then a cache hit) and Basic auth (a call)
        given().port(port).get("/exapps/test-exapp/public").then().statusCode(200);
        for (int i = 0; i < 2; i++) {
            given().port(port).cookie("oc_sessionPassphrase", "usr-session").get("/exapps/test-exapp/user").then().statusCode(200);
        }
        given().port(port).auth().preemptive().basic("usr", "password").get("/exapps/test-exapp/user").then().statusCode(200);
        // an app nobody knows: counted as app="unknown"
        given().port(port).header("X-Forwarded-For", "198.51.100.7").get("/exapps/no-such-app/x").then().statusCode(404);
        // three unknown routes from one client: banned
        for (int i = 0; i < 3; i++) {
            given().port(port).header("X-Forwarded-For", "203.0.113.9").get("/exapps/test-exapp/imaginary").then().statusCode(404);
        }
        // through the agent's tunnel
        given().port(port).get("/exapps/tunnel-app/public").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("from the tunnel"));
        // a WebSocket, left open for the scrape
        CompletableFuture<String> echo = new CompletableFuture<>();
        webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("usr:password".getBytes(StandardCharsets.UTF_8)))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/exapps/test-exapp/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        echo.complete(data.toString());
                        return WebSocket.Listener.super.onText(ws, data, last);
                    }
                }).get(10, TimeUnit.SECONDS);
        webSocket.sendText("ping", true);
        assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
        // AppAPI: info, and a create the scheduler cannot bind (the agent's "engine" refuses everything)
        given().port(port).header("harp-shared-key", NextcloudTestResource.KEY).get("/exapps/app_api/info").then().statusCode(200);
        int created = given().port(port).header("harp-shared-key", NextcloudTestResource.KEY).header("docker-engine-port", "24000")
                .contentType("application/json")
                .body("{\"name\":\"lyre-metrics-app\",\"instance_id\":\"\",\"image_id\":\"lyre/none:latest\",\"network_mode\":\"bridge\","
                        + "\"environment_variables\":[],\"compute_device\":\"cpu\",\"mount_points\":[]}")
                .post("/exapps/app_api/docker/exapp/create").statusCode();
        assertThat(created).as("create on a fake engine").isNotEqualTo(201);
        proxy.metrics().refresh();
    }

    /** Joins an in-process agent whose "engine" has no containers and answers ExApp requests itself. */
    private static TunnelEngine connectAgent(ProxyCore core) throws Exception {
        TunnelServer server = core.tunnel().orElseThrow().server();
        Path dir = Files.createTempDirectory("lyre-metrics-agent");
        AgentCredentials creds = JoinClient.join("127.0.0.1:" + server.port(), server.createJoinToken(Duration.ofMinutes(5)).toString(),
                AGENT, Map.of(), 0, dir);
        Hello hello = Hello.newBuilder().setProtocolVersion(TunnelProtocol.PROTOCOL_VERSION).setAgentVersion("test").setName(AGENT)
                .setInventoryJson(ByteString.copyFromUtf8("{}"))
                .setDocker(DockerFacts.newBuilder().setAvailable(true).setVersion("test").setApiVersion("1.41")).build();
        agent = new TunnelClient(TunnelClient.Config.of(creds), () -> hello, ProxyMetricsTest::serve).start();
        assertThat(agent.awaitConnected(Duration.ofSeconds(20))).as("in-process agent connected").isTrue();
        String id = creds.identity().agentId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var e = core.tunnel().get().engine(id);
            if (e.isPresent() && e.get().ready()) {
                return e.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the agent's engine did not become ready");
    }

    private static void serve(Open open, Exchange ex) {
        ex.listener(new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame frame) {
            }

            @Override
            public void onClosed(TunnelException error) {
            }
        });
        if (open.getKind() == Open.Kind.DOCKER) {
            boolean list = open.getPath().contains("/containers/json");
            reply(ex, list ? 200 : 404, list ? "[]" : "{\"message\":\"not on this test engine\"}");
        } else {
            reply(ex, 200, "from the tunnel");
        }
    }

    private static void reply(Exchange ex, int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.send(Frames.head(status, List.of(Frames.header("content-type", "application/json"),
                Frames.header("content-length", String.valueOf(b.length)))));
        ex.sendData(ByteString.copyFrom(b), false);
        ex.end();
    }

    static List<Sample> samples(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            assertThat(m.matches()).as("sample line: " + line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** "# TYPE name type" lines. */
    static Map<String, String> types(String text) {
        Map<String, String> types = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split("\\s+");
                types.put(p[2], p[3]);
            }
        }
        return types;
    }

    private static double sum(List<Sample> samples, String name, Map<String, String> match) {
        return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(match.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    @Test
    void scrapeAfterTrafficPassesPromtoolAndCarriesEveryProxyMetricOfTheContract() throws Exception {
        String text = scrape();
        assertThat(contentType).startsWith("text/plain").contains("version=0.0.4");
        Promtool.Result check = Promtool.run(text, "check", "metrics");
        assertThat(check.exitCode()).as("promtool check metrics:\n" + check.output()).isZero();

        List<Sample> samples = samples(text);
        Map<String, String> types = types(text);
        Map<String, MetricsContract.Metric> contract = MetricsContract.section("Proxy");
        assertThat(contract).hasSizeGreaterThanOrEqualTo(16);
        for (MetricsContract.Metric metric : contract.values()) {
            String family = metric.type().equals("counter") ? metric.name().replaceFirst("_total$", "") : metric.name();
            assertThat(types.getOrDefault(metric.name(), types.get(family))).as("# TYPE of " + metric.name()).isEqualTo(metric.type());
            List<String> series = metric.type().equals("histogram")
                    ? List.of(metric.name() + "_bucket", metric.name() + "_count", metric.name() + "_sum") : List.of(metric.name());
            for (String name : series) {
                List<Sample> found = samples.stream().filter(s -> s.name.equals(name)).toList();
                assertThat(found).as(name + " in the scrape").isNotEmpty();
                Set<String> expected = new TreeSet<>(metric.labels());
                if (name.endsWith("_bucket")) {
                    expected.add("le");
                }
                for (Sample s : found) {
                    assertThat(s.labels.keySet()).as("labels of " + s).isEqualTo(expected);
                }
            }
        }

        // what the traffic must have left
        assertThat(sum(samples, "lyre_exapp_requests_seconds_count", Map.of("app", "test-exapp", "status_class", "2xx"))).isGreaterThanOrEqualTo(4);
        assertThat(sum(samples, "lyre_exapp_requests_seconds_count", Map.of("app", "test-exapp", "status_class", "4xx"))).isGreaterThanOrEqualTo(3);
        assertThat(sum(samples, "lyre_exapp_requests_seconds_count", Map.of("app", "unknown", "status_class", "4xx"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_exapp_requests_seconds_count", Map.of("app", "tunnel-app", "status_class", "2xx"))).isGreaterThanOrEqualTo(1);
        assertThat(samples).as("no series for an app id nobody vouched for").noneMatch(s -> "no-such-app".equals(s.labels.get("app")));
        assertThat(sum(samples, "lyre_exapp_websockets_open", Map.of("app", "test-exapp"))).isEqualTo(1);
        assertThat(sum(samples, "lyre_control_requests_seconds_count", Map.of("endpoint", "info", "status_class", "2xx"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_control_requests_seconds_count", Map.of("endpoint", "docker/exapp/create"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_user_info_requests_total", Map.of("result", "call"))).isGreaterThanOrEqualTo(2);
        assertThat(sum(samples, "lyre_user_info_requests_total", Map.of("result", "cache_hit"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_bans_total", Map.of("entry", "http"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_banned_addresses", Map.of())).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_agents_connected", Map.of())).isEqualTo(1);
        assertThat(sum(samples, "lyre_tunnel_receive_budget_bytes", Map.of())).as("LYRE_TUNNEL_RECEIVE_BUDGET_MIB=96")
                .isEqualTo(96.0 * (1 << 20));
        assertThat(sum(samples, "lyre_agent_state", Map.of("agent", AGENT, "state", "ready"))).isEqualTo(1);
        assertThat(sum(samples, "lyre_agent_state", Map.of("agent", AGENT))).isEqualTo(1);
        assertThat(sum(samples, "lyre_tunnel_exchanges_total", Map.of("agent", AGENT, "kind", "http"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_tunnel_exchanges_total", Map.of("agent", AGENT, "kind", "docker"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_tunnel_bytes_total", Map.of("agent", AGENT, "direction", "to_agent"))).isPositive();
        assertThat(sum(samples, "lyre_tunnel_bytes_total", Map.of("agent", AGENT, "direction", "from_agent"))).isPositive();
        Map<String, String> gpu = Map.of("host", AGENT, "kind", "GPU", "vendor", "NVIDIA", "model", "Simulated A100");
        assertThat(sum(samples, "lyre_devices", gpu)).isEqualTo(1);
        assertThat(sum(samples, "lyre_devices_allocated", gpu)).isZero();
        assertThat(sum(samples, "lyre_device_memory_bytes", Map.of("device", "GPU-sim-0"))).isEqualTo(8L << 30);
        assertThat(sum(samples, "lyre_placements_total", Map.of("result", "failed"))).isGreaterThanOrEqualTo(1);
        assertThat(sum(samples, "lyre_scheduling_seconds_count", Map.of())).isGreaterThanOrEqualTo(1);
    }

    @Test
    void metricsAreServedOnTheManagementPortOnlyNotOnThePublicFrontDoor() throws Exception {
        scrape();
        Response front = given().port(proxy.server().httpPort()).header("X-Forwarded-For", "192.0.2.50").accept("text/plain").get("/q/metrics");
        assertThat(front.statusCode()).isEqualTo(404);
        assertThat(front.asString()).doesNotContain("lyre_");
    }

    /** Every lyre_ series a dashboard in deploy/grafana/ queries that is not an agent metric is in the proxy's scrape. */
    @Test
    void everyProxySeriesTheDashboardQueriesIsInTheScrape() throws Exception {
        Path grafana = MetricsContract.ROOT.resolve("deploy/grafana");
        List<Path> dashboards = Files.isDirectory(grafana)
                ? Files.list(grafana).filter(p -> p.toString().endsWith(".json")).sorted().toList() : List.of();
        Assumptions.assumeFalse(dashboards.isEmpty(), "no dashboard in " + grafana + " yet");
        Set<String> agentMetrics = MetricsContract.section("Agent").keySet();
        Map<String, String> queried = new LinkedHashMap<>(); // series -> where
        ObjectMapper json = new ObjectMapper();
        for (Path f : dashboards) {
            List<String> exprs = new ArrayList<>();
            collectExpressions(json.readTree(f.toFile()), exprs);
            for (String e : exprs) {
                for (String name : PromQlMetricNames.of(e)) {
                    String base = name.replaceFirst("_(bucket|count|sum)$", "");
                    if (name.startsWith("lyre_") && !agentMetrics.contains(name) && !agentMetrics.contains(base)) {
                        queried.putIfAbsent(name, f.getFileName() + ": " + e);
                    }
                }
            }
        }
        assertThat(queried).as("proxy series queried by " + dashboards).isNotEmpty();
        Set<String> scraped = new TreeSet<>();
        samples(scrape()).forEach(s -> scraped.add(s.name));
        queried.forEach((name, where) -> assertThat(scraped).as(where).contains(name));
    }

    /** Every "expr" (panel targets) and "query" (template variables) string anywhere in the dashboard. */
    private static void collectExpressions(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if ((e.getKey().equals("expr") || e.getKey().equals("query")) && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collectExpressions(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectExpressions(n, out));
        }
    }
}
