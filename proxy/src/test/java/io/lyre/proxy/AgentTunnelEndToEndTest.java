package io.lyre.proxy;

import io.lyre.proxy.admin.AdminApi;
import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The product end to end: a proxy (front door + embedded tunnel server + scheduler with its H2 store), an agent
 * process that joins with a token from the admin API, and AppAPI's deploy sequence on slot 24001 (pinned) and
 * 24000 (scheduler's choice) against the real local Docker engine through the agent, with the ExApp's traffic
 * going through agent exchanges. The proxy is restarted in between: placements survive.
 * Skipped without Docker, the agent jar or lyre/test-exapp unless CI=true.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
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

    private static void require(boolean ok, String why) {
        if (!ok) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why + " (CI=true: the end-to-end test must run)");
            }
            Assumptions.abort(why + " - skipping the end-to-end test");
        }
    }

    private void startProxy() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("HP_SHARED_KEY", KEY);
        env.put("NC_INSTANCE_URL", nextcloud.url("127.0.0.1") + "/index.php/");
        env.put("HP_EXAPPS_ADDRESS", "127.0.0.1:0");
        env.put("LYRE_LOCAL_DOCKER", "none");
        env.put("LYRE_TUNNEL_ADDRESS", "127.0.0.1:" + tunnelPort);
        env.put("LYRE_DATA_DIR", tmp.resolve("proxy").toString());
        core = new ProxyCore(vertx, ProxyConfig.fromEnv(env), LyreSettings.fromEnv(env), SchedulingMetrics.NONE, FrontDoorMetrics.NONE).start();
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

    private Process agent(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent-" + args[0] + ".log").toFile()).start();
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
            boolean answers;
            try {
                answers = new DockerEngineApi(local).get("/_ping").ok();
            } catch (RuntimeException e) {
                answers = false;
            }
            require(answers, "the Docker engine does not answer");
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
        assertThat(join.exitValue()).as("agent join, log: " + Files.readString(tmp.resolve("agent-join.log"))).isZero();
        agent("run", "--data-dir", agentDir.toString());
        Engine engine = awaitEngine(24001);
        assertThat(engine.reachableDirectly()).isFalse();
        adminApi().get("/api/v1/agents").then().statusCode(200).body("[0].name", equalTo("e2e-host")).body("[0].state", equalTo("ready"));
        adminApi().get("/api/v1/engines").then().statusCode(200).body("[0].slot", equalTo(24001)).body("[0].tunnel", equalTo(true));

        // pinned slot 24001
        String pinnedSecret = deployAndServe(24001, "lyre-e2e-pinned");
        // slot 24000: the scheduler chooses (the only engine)
        String chosenSecret = deployAndServe(24000, "lyre-e2e-chosen");
        JsonArray placements = new JsonArray(adminApi().get("/api/v1/placements").then().statusCode(200).extract().asString());
        assertThat(placements.size()).isEqualTo(2);

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

        for (var app : Map.of("lyre-e2e-pinned", 24001, "lyre-e2e-chosen", 24000).entrySet()) {
            op(app.getValue(), "remove", new JsonObject().put("name", app.getKey()).put("instance_id", "").put("remove_data", true))
                    .then().statusCode(204);
            op(app.getValue(), "exists", new JsonObject().put("name", app.getKey()).put("instance_id", "")).then()
                    .statusCode(200).body("exists", equalTo(false));
        }
        adminApi().get("/api/v1/placements").then().statusCode(200).body("size()", equalTo(0));
        assertThat(pinnedSecret).isNotEmpty();
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
