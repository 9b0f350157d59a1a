package io.lyre.proxy;

import io.lyre.proxy.admin.AdminApi;
import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.metrics.ProxyMetrics;
import io.lyre.proxy.tunnel.TunnelEngine;
import io.lyre.tunnel.AgentConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.lyre.proxy.RequiredEnvironment.answers;
import static io.lyre.proxy.RequiredEnvironment.require;
import static io.lyre.proxy.RequiredEnvironment.registryAnswers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The product end to end: a proxy (front door + embedded tunnel server + scheduler with its H2 store), an agent
 * process that joins with a token from the admin API, and AppAPI's deploy sequence on slot 24001 (pinned) and
 * 24000 (scheduler's choice) against the real local Docker engine through the agent, with the ExApp's traffic
 * going through agent exchanges. The proxy is restarted in between: placements survive. Then, on the same
 * deployment (no second deploy: the suite stays short), a WebSocket through /exapps/&lt;app&gt;/ws over the tunnel
 * (text, binary, ping, close), the agent killed while a request is in flight (the client gets a 502 or 503
 * within 5 s), and the agent restarted from its data directory (back without a new token).
 * Skipped without Docker, the agent jar or lyre/test-exapp unless CI=true.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AgentTunnelEndToEndTest {
    private static final String IMAGE = "lyre/test-exapp:latest";
    private static final String KEY = FrontDoorHarness.KEY;
    private static final Path AGENT_JAR = Path.of("../agent/target/lyre-agent.jar");

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final List<Process> agents = new ArrayList<>();
    private ProxyCore core;
    private HttpServer admin;
    private NextcloudStandIn nextcloud;
    private int tunnelPort;
    private int port;
    private SimpleMeterRegistry registry;

    private void startProxy() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("HP_SHARED_KEY", KEY);
        env.put("NC_INSTANCE_URL", nextcloud.url("127.0.0.1") + "/index.php/");
        env.put("HP_EXAPPS_ADDRESS", "127.0.0.1:0");
        env.put("LYRE_LOCAL_DOCKER", "none");
        env.put("LYRE_TUNNEL_ADDRESS", "127.0.0.1:" + tunnelPort);
        env.put("LYRE_DATA_DIR", tmp.resolve("proxy").toString());
        registry = new SimpleMeterRegistry();
        ProxyMetrics metrics = new ProxyMetrics(registry);
        core = new ProxyCore(vertx, ProxyConfig.fromEnv(env), LyreSettings.fromEnv(env), metrics, metrics, metrics).start();
        metrics.bind(core);
        port = core.server().httpPort();
        Router router = Router.router(vertx);
        new AdminApi(vertx, () -> core).mount(router);
        admin = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    private void stopProxy() throws Exception {
        admin.close().toCompletionStage().toCompletableFuture().get();
        core.close();
    }

    private RequestSpecification adminApi() {
        return given().port(admin.actualPort());
    }

    private RequestSpecification appApi(int slot) {
        return given().port(port).header("harp-shared-key", KEY).header("docker-engine-port", String.valueOf(slot))
                .auth().preemptive().basic("app_api_haproxy_user", KEY).urlEncodingEnabled(false);
    }

    private Response op(int slot, String op, JsonObject body) {
        return appApi(slot).contentType("application/json").body(body.encode()).post("/exapps/app_api/docker/exapp/" + op);
    }

    private RequestSpecification toExApp(String app, String secret) {
        return given().port(port).header("harp-shared-key", KEY).header("ex-app-version", "1.0.0").header("ex-app-id", app)
                .header("ex-app-host", "127.0.0.1").header("ex-app-port", "23000").header("AA-VERSION", "35")
                .header("AA-REQUEST-ID", "CLI")
                .header("authorization-app-api", Base64.getEncoder().encodeToString((":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    /** Starts the agent jar with {@code args}; its output goes to agent-&lt;command&gt;-&lt;n&gt;.log in the temp dir. */
    private Process agent(String... args) throws Exception {
        String log = args[0] + "-" + agents.size();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent-" + log + ".log").toFile()).start();
        agents.add(p);
        return p;
    }

    private Engine awaitEngine(int slot) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var e = core.engines().bySlot(slot);
            if (e.isPresent() && e.get().ready()) {
                return e.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no ready engine on slot " + slot);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : agents) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        try (LocalDockerEngine local = new LocalDockerEngine("unix:///var/run/docker.sock", 24090, Duration.ofSeconds(5), Duration.ofSeconds(30))) {
            for (String app : List.of("lyre-e2e-pinned", "lyre-e2e-chosen")) {
                new DockerEngineApi(local).delete("/containers/nc_app_" + app + "?force=true");
                new DockerEngineApi(local).delete("/volumes/nc_app_" + app + "_data");
            }
        } catch (RuntimeException ignored) {
            // no engine: nothing was created
        }
        if (core != null) {
            core.close();
        }
        if (nextcloud != null) {
            nextcloud.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void agentJoinsWithAnAdminTokenAndAppApiDeploysThroughTheTunnelOnPinnedAndChosenSlots() throws Exception {
        require(Files.exists(Path.of("/var/run/docker.sock")), "no Docker engine at /var/run/docker.sock");
        require(Files.exists(AGENT_JAR), AGENT_JAR + " is missing (mvn package of agent/)");
        try (LocalDockerEngine local = new LocalDockerEngine("unix:///var/run/docker.sock", 24090, Duration.ofSeconds(5), Duration.ofSeconds(30))) {
            require(answers(new DockerEngineApi(local)), "the Docker engine does not answer");
            require(new DockerEngineApi(local).get("/images/" + IMAGE + "/json").ok(), IMAGE + " is missing (deploy/images/build-all.sh)");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            tunnelPort = s.getLocalPort();
        }
        nextcloud = new NextcloudStandIn(KEY, "0.0.0.0");
        startProxy();

        // join with a token from the admin API, then run
        String token = new JsonObject(adminApi().queryParam("ttl", "10m").post("/api/v1/join-tokens").then().statusCode(201)
                .extract().asString()).getString("token");
        Path agentDir = tmp.resolve("agent");
        Process join = agent("join", "127.0.0.1:" + tunnelPort, token, "--data-dir", agentDir.toString(), "--name", "e2e-host", "--slot", "24001");
        assertThat(join.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(join.exitValue()).as("agent join, log: " + Files.readString(tmp.resolve("agent-join-0.log"))).isZero();
        Process running = agent("run", "--data-dir", agentDir.toString());
        Engine engine = awaitEngine(24001);
        assertThat(engine.reachableDirectly()).isFalse();
        adminApi().get("/api/v1/agents").then().statusCode(200).body("[0].name", equalTo("e2e-host")).body("[0].state", equalTo("ready"));
        adminApi().get("/api/v1/engines").then().statusCode(200).body("[0].slot", equalTo(24001)).body("[0].tunnel", equalTo(true));

        // pinned slot 24001: AppAPI's whole deploy sequence (appapi.md §2.4) through the agent
        String pinnedSecret = replayAppApiDeployThroughTheAgent(24001, "lyre-e2e-pinned");
        // slot 24000: the scheduler chooses (the only engine)
        String chosenSecret = deployAndServe(24000, "lyre-e2e-chosen");
        JsonArray placements = new JsonArray(adminApi().get("/api/v1/placements").then().statusCode(200).extract().asString());
        assertThat(placements.size()).isEqualTo(2);

        // AppAPI's disable of the pinned app: /enabled?enabled=0, stop, exapp_storage DELETE
        toExApp("lyre-e2e-pinned", pinnedSecret).put("/exapps/lyre-e2e-pinned/enabled?enabled=0").then().statusCode(200);
        op(24001, "stop", new JsonObject().put("name", "lyre-e2e-pinned").put("instance_id", "")).then().statusCode(204);
        given().port(port).header("harp-shared-key", KEY).delete("/exapps/app_api/exapp_storage/lyre-e2e-pinned")
                .then().statusCode(204);
        op(24001, "exists", new JsonObject().put("name", "lyre-e2e-pinned").put("instance_id", "")).then()
                .statusCode(200).body("exists", equalTo(true));
        // restart the proxy: placements come back from the store, the agent re-dials, traffic flows again
        stopProxy();
        startProxy();
        awaitEngine(24001);
        JsonArray after = new JsonArray(adminApi().get("/api/v1/placements").then().statusCode(200).extract().asString());
        assertThat(after.stream().map(o -> ((JsonObject) o).getString("app")).toList())
                .containsExactlyInAnyOrder("lyre-e2e-pinned", "lyre-e2e-chosen");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int hb = 0;
        while (System.nanoTime() < deadline && hb != 200) {
            hb = toExApp("lyre-e2e-chosen", chosenSecret).get("/exapps/lyre-e2e-chosen/heartbeat").statusCode();
            Thread.sleep(200);
        }
        assertThat(hb).as("heartbeat through the tunnel after a proxy restart").isEqualTo(200);

        webSocketThroughTheTunnelEchoesTextAndBinaryAnswersPingAndCloses("lyre-e2e-chosen", chosenSecret);
        killingTheAgentMidRequestAnswers502Or503Within5Seconds("lyre-e2e-chosen", chosenSecret, running);
        // the agent comes back from its data directory, without a new token, and traffic flows again
        long restartedAt = System.nanoTime();
        agent("run", "--data-dir", agentDir.toString());
        awaitEngine(24001);
        System.out.printf("agent restarted: engine ready %d ms after the process started%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        hb = 0;
        while (System.nanoTime() < deadline && hb != 200) {
            hb = toExApp("lyre-e2e-chosen", chosenSecret).get("/exapps/lyre-e2e-chosen/heartbeat").statusCode();
            Thread.sleep(200);
        }
        assertThat(hb).as("heartbeat through the restarted agent").isEqualTo(200);

        for (var app : Map.of("lyre-e2e-pinned", 24001, "lyre-e2e-chosen", 24000).entrySet()) {
            op(app.getValue(), "remove", new JsonObject().put("name", app.getKey()).put("instance_id", "").put("remove_data", true))
                    .then().statusCode(204);
            op(app.getValue(), "exists", new JsonObject().put("name", app.getKey()).put("instance_id", "")).then()
                    .statusCode(200).body("exists", equalTo(false));
        }
        adminApi().get("/api/v1/placements").then().statusCode(200).body("size()", equalTo(0));
        assertThat(pinnedSecret).isNotEmpty();
    }

    /** AppAPI's six headers of a direct request to the ExApp, signed with its secret. */
    private Map<String, String> direct(String app, String secret) {
        return Map.of("harp-shared-key", KEY, "ex-app-version", "1.0.0", "ex-app-id", app, "ex-app-host", "127.0.0.1",
                "ex-app-port", "23000", "AA-VERSION", "35",
                "authorization-app-api", Base64.getEncoder().encodeToString((":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    /** lyre/test-exapp's /ws echo through the front door and the agent's tunnel, with the JDK's WebSocket client. */
    private void webSocketThroughTheTunnelEchoesTextAndBinaryAnswersPingAndCloses(String app, String secret) throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        direct(app, secret).forEach(builder::header);
        WebSocket ws = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/exapps/" + app + "/ws"), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    got.add(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                binary.write(b, 0, b.length);
                if (last) {
                    got.add(binary.toByteArray());
                    binary.reset();
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                got.add("pong:" + StandardCharsets.UTF_8.decode(message));
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.completeExceptionally(error);
            }
        }).get(20, TimeUnit.SECONDS);

        ws.sendText("hello through the tunnel", true).get(5, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("hello through the tunnel");
        byte[] payload = new byte[70_000]; // a frame with a 64-bit length, over several tunnel frames
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        ws.sendBinary(ByteBuffer.wrap(payload), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) got.poll(10, TimeUnit.SECONDS)).isEqualTo(payload);
        ws.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("pong:p1");
        assertThat(registry.get("lyre.exapp.websockets.open").tag("app", app).gauge().value()).isEqualTo(1);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        assertThat(registry.get("lyre.tunnel.exchanges").tag("agent", "e2e-host").tag("kind", "websocket").counter().count())
                .as("the upgrade went through the tunnel as a WebSocket exchange").isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && registry.get("lyre.exapp.websockets.open").tag("app", app).gauge().value() != 0) {
            Thread.sleep(50);
        }
        assertThat(registry.get("lyre.exapp.websockets.open").tag("app", app).gauge().value()).as("sessions open after close").isZero();
    }

    /** A POST whose body never finishes is in flight through the tunnel when the agent process is SIGKILLed. */
    private void killingTheAgentMidRequestAnswers502Or503Within5Seconds(String app, String secret, Process agentProcess) throws Exception {
        String agentId = ((TunnelEngine) awaitEngine(24001)).agentId();
        AgentConnection tunnel = core.tunnel().orElseThrow().server().connection(agentId).orElseThrow();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder("POST /exapps/" + app + "/public HTTP/1.1\r\nHost: localhost\r\n");
            direct(app, secret).forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[4096]); // the rest of the body never comes: the ExApp waits for it
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tunnel.activeExchanges() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(tunnel.activeExchanges()).as("the request is in flight through the tunnel").isPositive();

            long killedAt = System.nanoTime();
            agentProcess.destroyForcibly();
            String answer = readHead(s.getInputStream());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.printf("agent killed mid-request: the client got '%s' after %d ms%n", answer.lines().findFirst().orElse(""), tookMillis);
            assertThat(answer).as("answer after the agent died").matches("(?s)HTTP/1\\.1 50[23] .*");
            assertThat(tookMillis).as("ms from the kill to the answer").isLessThan(5_000);
        }
        assertThat(agentProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
                if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // what came so far
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static final String REGISTRY = "127.0.0.1:5000";

    /**
     * AppAPI's deploy sequence as appapi.md §2.4 orders it, every call through the agent's engine: ping, info, pull
     * with the -cpu fallback (a real pull from the loopback registry when one answers), image inspect, exists,
     * remove, create, install_certificates, start, wait_for_start, inspect polling, heartbeat, init (progress
     * reaches the Nextcloud stand-in), enabled, exapp_storage and a routed user request.
     */
    private String replayAppApiDeployThroughTheAgent(int slot, String app) throws Exception {
        String container = "nc_app_" + app;
        appApi(slot).get("/exapps/app_api/v1.44/_ping").then().statusCode(200).body(equalTo("OK"));
        given().port(port).header("harp-shared-key", KEY).get("/exapps/app_api/info").then().statusCode(200)
                .body("docker", equalTo(true));
        String image = IMAGE;
        String gateway;
        try (LocalDockerEngine local = new LocalDockerEngine("unix:///var/run/docker.sock", 24091, Duration.ofSeconds(5), Duration.ofSeconds(60))) {
            DockerEngineApi docker = new DockerEngineApi(local);
            JsonObject ipam = docker.get("/networks/bridge").json().getJsonObject("IPAM").getJsonArray("Config").getJsonObject(0);
            String net = ipam.getString("Subnet").split("/")[0];
            gateway = ipam.getString("Gateway") != null ? ipam.getString("Gateway") : net.substring(0, net.lastIndexOf('.')) + ".1";
            if (registryAnswers(REGISTRY)) {
                // the image goes into the registry (test set-up, straight to the engine), the local tag goes away
                String repo = REGISTRY + "/lyre/test-exapp";
                assertThat(docker.call("POST", "/images/" + IMAGE + "/tag?repo=" + repo + "&tag=latest", null).ok()).isTrue();
                try (var push = docker.open("POST", "/images/" + repo + ":latest/push", null, Map.of("X-Registry-Auth", "e30="))) {
                    assertThat(new String(push.getBody().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("\"error\"");
                }
                docker.delete("/images/" + repo + ":latest");
                int missing = appApi(slot).post("/exapps/app_api/v1.44/images/create?fromImage="
                        + java.net.URLEncoder.encode(repo + ":latest-cpu", StandardCharsets.UTF_8)).statusCode();
                assertThat(missing).as("pull of the missing -cpu tag through the agent").isBetween(400, 599);
                Response pulled = appApi(slot).post("/exapps/app_api/v1.44/images/create?fromImage="
                        + java.net.URLEncoder.encode(repo + ":latest", StandardCharsets.UTF_8));
                assertThat(pulled.statusCode()).as("pull of the base tag through the agent").isEqualTo(200);
                assertThat(pulled.asString()).contains("\"status\"").doesNotContain("\"error\"");
                image = repo + ":latest";
            } else {
                if ("true".equals(System.getenv("CI"))) {
                    Assertions.fail("no registry answers on " + REGISTRY + " (.ci/run starts one)");
                }
                assertThat(appApi(slot).post("/exapps/app_api/v1.44/images/create?fromImage="
                        + java.net.URLEncoder.encode("lyre/test-exapp:latest-cpu", StandardCharsets.UTF_8)).statusCode())
                        .isGreaterThanOrEqualTo(400);
            }
        }
        appApi(slot).get("/exapps/app_api/v1.44/images/" + image + "/json").then().statusCode(200);
        op(slot, "exists", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(200).body("exists", equalTo(false));
        op(slot, "remove", new JsonObject().put("name", app).put("instance_id", "").put("remove_data", false)).then().statusCode(204);
        String secret = UUID.randomUUID().toString().replace("-", "");
        JsonArray env = new JsonArray().add("AA_VERSION=35").add("APP_SECRET=" + secret).add("APP_ID=" + app)
                .add("APP_DISPLAY_NAME=" + app).add("APP_VERSION=1.0.0").add("APP_HOST=127.0.0.1").add("APP_PORT=23000")
                .add("APP_PERSISTENT_STORAGE=/" + container + "_data").add("NEXTCLOUD_URL=http://" + gateway + ":" + nextcloud.port())
                .add("COMPUTE_DEVICE=CPU").add("HP_FRP_ADDRESS=appapi-harp").add("HP_FRP_PORT=8782").add("HP_SHARED_KEY=" + KEY);
        op(slot, "create", new JsonObject().put("name", app).put("instance_id", "").put("image_id", image).put("network_mode", "bridge")
                .put("environment_variables", env).put("restart_policy", "unless-stopped").put("compute_device", "cpu")
                .put("mount_points", new JsonArray()).put("start_container", true)).then().statusCode(201).body("name", equalTo(container));
        JsonArray containerEnv = new JsonObject(appApi(slot).get("/exapps/app_api/v1.44/containers/" + container + "/json").asString())
                .getJsonObject("Config").getJsonArray("Env");
        assertThat(containerEnv.getList()).contains("APP_HOST=0.0.0.0").noneMatch(e -> e.toString().startsWith("HP_"));
        op(slot, "install_certificates", new JsonObject().put("name", app).put("instance_id", "")
                .put("system_certs_bundle", null).put("install_frp_certs", true)).then().statusCode(204);
        op(slot, "start", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(204);
        op(slot, "wait_for_start", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(200)
                .body("started", equalTo(true));
        appApi(slot).get("/exapps/app_api/v1.44/containers/" + container + "/json").then().statusCode(200)
                .body("State.Status", equalTo("running"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int hb = 0;
        while (System.nanoTime() < deadline && hb != 200) {
            hb = toExApp(app, secret).get("/exapps/" + app + "/heartbeat").statusCode();
            if (hb != 200) {
                Thread.sleep(500);
            }
        }
        assertThat(hb).as("heartbeat of " + app + " through the agent").isEqualTo(200);
        toExApp(app, secret).post("/exapps/" + app + "/init").then().statusCode(200);
        long initDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < initDeadline && nextcloud.initProgress.stream().noneMatch(p -> p.startsWith(app) && p.contains("\"progress\":100"))) {
            Thread.sleep(200);
        }
        assertThat(nextcloud.initProgress).anyMatch(p -> p.startsWith(app) && p.contains("\"progress\":100"));
        toExApp(app, secret).put("/exapps/" + app + "/enabled?enabled=1").then().statusCode(200).body("error", equalTo(""));
        String meta = "{\"exapp_token\":\"" + secret + "\",\"exapp_version\":\"1.0.0\",\"host\":\"127.0.0.1\",\"port\":23000,"
                + "\"routes\":[{\"url\":\"^/public$\",\"access_level\":0,\"bruteforce_protection\":[]}]}";
        given().port(port).header("harp-shared-key", KEY).contentType("application/json").body(meta)
                .post("/exapps/app_api/exapp_storage/" + app).then().statusCode(204);
        given().port(port).get("/exapps/" + app + "/public").then().statusCode(200).body("headers.ex-app-id", equalTo(app));
        appApi(slot).get("/exapps/app_api/v1.44/containers/" + container + "/logs?stdout=true&stderr=true&tail=10").then().statusCode(200);
        return secret;
    }

    /** AppAPI's create / start / wait_for_start, then heartbeat, init and enabled through the tunnel. */
    private String deployAndServe(int slot, String app) throws Exception {
        String secret = UUID.randomUUID().toString().replace("-", "");
        JsonArray env = new JsonArray().add("AA_VERSION=35").add("APP_SECRET=" + secret).add("APP_ID=" + app)
                .add("APP_DISPLAY_NAME=" + app).add("APP_VERSION=1.0.0").add("APP_HOST=127.0.0.1").add("APP_PORT=23000")
                .add("APP_PERSISTENT_STORAGE=/nc_app_" + app + "_data").add("NEXTCLOUD_URL=http://127.0.0.1:" + nextcloud.port())
                .add("COMPUTE_DEVICE=CPU").add("HP_FRP_ADDRESS=appapi-harp").add("HP_FRP_PORT=8782").add("HP_SHARED_KEY=" + KEY);
        op(slot, "create", new JsonObject().put("name", app).put("instance_id", "").put("image_id", IMAGE).put("network_mode", "bridge")
                .put("environment_variables", env).put("restart_policy", "unless-stopped").put("compute_device", "cpu")
                .put("mount_points", new JsonArray())).then().statusCode(201).body("name", equalTo("nc_app_" + app));
        op(slot, "start", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(204);
        op(slot, "wait_for_start", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(200)
                .body("started", equalTo(true));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int hb = 0;
        while (System.nanoTime() < deadline) {
            hb = toExApp(app, secret).get("/exapps/" + app + "/heartbeat").statusCode();
            if (hb == 200) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(hb).as("heartbeat of " + app + " through the agent").isEqualTo(200);
        toExApp(app, secret).post("/exapps/" + app + "/init").then().statusCode(200);
        toExApp(app, secret).put("/exapps/" + app + "/enabled?enabled=1").then().statusCode(200).body("error", equalTo(""));
        return secret;
    }
}
