package io.lyre.proxy;

import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerReply;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.lyre.proxy.RequiredEnvironment.answers;
import static io.lyre.proxy.RequiredEnvironment.require;
import static io.lyre.proxy.RequiredEnvironment.registryAnswers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Replays AppAPI's deploy / enable / disable / remove sequence (appapi.md §2.4) with AppAPI's headers and
 * bodies against the real proxy, the real local Docker engine and the lyre/test-exapp image.
 *
 * Pulls are real: the image is pushed to the local registry on 127.0.0.1:5000 (Debian's docker-registry, which
 * .ci/run starts), the "-cpu" tag is missing there and must fail with a non-2xx status (which is what makes
 * AppAPI fall back to the base tag), and the base tag is pulled with streamed progress. Without a registry the
 * locally built image is used (skipped pull), unless CI=true, where that fails.
 * Without an engine or the image the test is skipped, unless CI=true, where it fails.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DockerConformanceTest {
    private static final String IMAGE = "lyre/test-exapp:latest";
    private static final String REGISTRY = "127.0.0.1:5000";
    private static final String PULLED_REPO = REGISTRY + "/lyre/test-exapp";
    private static final String APP = "lyre-conformance";
    private static final String CONTAINER = "nc_app_" + APP;
    private static final String KEY = FrontDoorHarness.KEY;

    private int port;

    /** Puts the test image into the local registry and drops the local tag, so the pull below is a real one. */
    private static void pushToRegistry(DockerEngineApi docker) throws Exception {
        assertThat(docker.call("POST", "/images/" + IMAGE + "/tag?repo=" + PULLED_REPO + "&tag=latest", null).ok())
                .as("tag for the registry").isTrue();
        try (var push = docker.open("POST", "/images/" + PULLED_REPO + ":latest/push", null,
                Map.of("X-Registry-Auth", "e30="))) {
            String progress = new String(push.getBody().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(progress).as("push progress").doesNotContain("\"error\"");
        }
        docker.delete("/images/" + PULLED_REPO + ":latest");
    }

    private RequestSpecification appApi() {
        return given().port(port).header("harp-shared-key", KEY).header("docker-engine-port", "24000")
                .auth().preemptive().basic("app_api_haproxy_user", KEY).urlEncodingEnabled(false);
    }

    private Response op(String op, JsonObject body) {
        return appApi().contentType("application/json").body(body.encode()).post("/exapps/app_api/docker/exapp/" + op);
    }

    private RequestSpecification toExApp(String secret) {
        // AppAPI's direct request: all six headers (appapi.md §4.2)
        return given().port(port).header("harp-shared-key", KEY).header("ex-app-version", "1.0.0").header("ex-app-id", APP)
                .header("ex-app-host", "127.0.0.1").header("ex-app-port", "23000").header("AA-VERSION", "35")
                .header("AA-REQUEST-ID", "CLI")
                .header("authorization-app-api", Base64.getEncoder().encodeToString((":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void appApiDeploySequenceAgainstTheLocalEngine() throws Exception {
        require(Files.exists(Path.of("/var/run/docker.sock")), "no Docker engine at /var/run/docker.sock");
        try (LocalDockerEngine engine = new LocalDockerEngine("unix:///var/run/docker.sock", 24001, Duration.ofSeconds(5), Duration.ofSeconds(60))) {
            DockerEngineApi docker = new DockerEngineApi(engine);
            require(answers(docker), "the Docker engine does not answer");
            require(docker.get("/images/" + IMAGE + "/json").ok(), IMAGE + " is missing (deploy/images/build-all.sh builds it)");
            JsonObject bridge = docker.get("/networks/bridge").json();
            JsonObject ipam = bridge.getJsonObject("IPAM").getJsonArray("Config").getJsonObject(0);
            String gateway = ipam.getString("Gateway");
            if (gateway == null) { // dockerd 20.10 may leave it out: the bridge's first address is the host
                String net = ipam.getString("Subnet").split("/")[0];
                gateway = net.substring(0, net.lastIndexOf('.')) + ".1";
            }

            try (FrontDoorHarness h = new FrontDoorHarness(Map.of(), "0.0.0.0")) {
                h.engines.register(engine);
                port = h.port();
                cleanUp(docker);
                String secret = UUID.randomUUID().toString().replace("-", "");

                // P1 ping, I1 info
                appApi().get("/exapps/app_api/v1.44/_ping").then().statusCode(200).body(equalTo("OK"));
                given().port(port).header("harp-shared-key", KEY).get("/exapps/app_api/info").then().statusCode(200).body("version", equalTo("0.4.4"));
                String image = IMAGE;
                if (registryAnswers(REGISTRY)) {
                    pushToRegistry(docker);
                    // D1: the -cpu tag does not exist -> non-2xx, so AppAPI falls back to the base tag
                    int pullStatus = appApi().post("/exapps/app_api/v1.44/images/create?fromImage="
                            + java.net.URLEncoder.encode(PULLED_REPO + ":latest-cpu", StandardCharsets.UTF_8)).statusCode();
                    assertThat(pullStatus).as("pull of a missing tag").isGreaterThanOrEqualTo(400).isLessThan(600);
                    // D1 fallback: the base tag is pulled for real, with progress streamed back
                    Response pulled = appApi().post("/exapps/app_api/v1.44/images/create?fromImage="
                            + java.net.URLEncoder.encode(PULLED_REPO + ":latest", StandardCharsets.UTF_8));
                    assertThat(pulled.statusCode()).as("pull of the base tag").isEqualTo(200);
                    assertThat(pulled.asString()).as("pull progress").contains("\"status\"").contains("latest")
                            .doesNotContain("\"error\"");
                    image = PULLED_REPO + ":latest";
                } else {
                    if ("true".equals(System.getenv("CI"))) {
                        Assertions.fail("no registry answers on " + REGISTRY + " (.ci/run starts Debian's docker-registry there)");
                    }
                    // Without a registry: the missing tag still fails, and the locally built image stands in.
                    int pullStatus = appApi().post("/exapps/app_api/v1.44/images/create?fromImage="
                            + java.net.URLEncoder.encode("lyre/test-exapp:latest-cpu", StandardCharsets.UTF_8)).statusCode();
                    assertThat(pullStatus).as("pull of a missing tag").isGreaterThanOrEqualTo(400);
                }
                // D1b: AppAPI inspects the image it pulled
                appApi().get("/exapps/app_api/v1.44/images/" + image + "/json").then().statusCode(200);
                // X1 exists (false), X2 remove (tolerates a missing container)
                op("exists", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(200).body("exists", equalTo(false));
                op("remove", new JsonObject().put("name", APP).put("instance_id", "").put("remove_data", false)).then().statusCode(204);
                // X3 create
                JsonArray env = new JsonArray().add("AA_VERSION=35").add("APP_SECRET=" + secret).add("APP_ID=" + APP)
                        .add("APP_DISPLAY_NAME=Lyre conformance").add("APP_VERSION=1.0.0").add("APP_HOST=127.0.0.1")
                        .add("APP_PORT=23000").add("APP_PERSISTENT_STORAGE=/" + CONTAINER + "_data")
                        .add("NEXTCLOUD_URL=http://" + gateway + ":" + h.nextcloud.port()).add("COMPUTE_DEVICE=CPU")
                        .add("HP_FRP_ADDRESS=appapi-harp").add("HP_FRP_PORT=8782").add("HP_SHARED_KEY=" + KEY);
                op("create", new JsonObject().put("name", APP).put("instance_id", "").put("image_id", image)
                        .put("network_mode", "bridge").put("environment_variables", env).put("restart_policy", "unless-stopped")
                        .put("compute_device", "cpu").put("mount_points", new JsonArray()).put("start_container", true))
                        .then().statusCode(201).body("name", equalTo(CONTAINER));
                op("create", new JsonObject().put("name", APP).put("image_id", image)).then().statusCode(409);
                JsonObject inspect = new JsonObject(appApi().get("/exapps/app_api/v1.44/containers/" + CONTAINER + "/json").asString());
                JsonArray containerEnv = inspect.getJsonObject("Config").getJsonArray("Env");
                assertThat(containerEnv.getList()).contains("APP_HOST=0.0.0.0", "APP_PORT=23000")
                        .noneMatch(e -> e.toString().startsWith("HP_"));
                // X4 install_certificates (Nextcloud's CA bundle), X5 start, X7 wait_for_start
                String bundle = Files.exists(Path.of("/etc/ssl/certs/ca-certificates.crt"))
                        ? Files.readString(Path.of("/etc/ssl/certs/ca-certificates.crt")).lines().limit(40).reduce("", (a, b) -> a + b + "\n")
                        : null;
                op("install_certificates", new JsonObject().put("name", APP).put("instance_id", "")
                        .put("system_certs_bundle", bundle).put("install_frp_certs", true)).then().statusCode(204);
                op("start", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(204);
                op("start", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(200).body(equalTo("Container already started"));
                op("wait_for_start", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(200)
                        .body("started", equalTo(true)).body("status", equalTo("running"));
                // C1 inspect polling
                appApi().get("/exapps/app_api/v1.44/containers/" + CONTAINER + "/json").then().statusCode(200)
                        .body("State.Status", equalTo("running"));
                // heartbeat through /exapps/<app> (retried: the JVM in the container needs a moment)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int hb = 0;
                while (System.nanoTime() < deadline) {
                    hb = toExApp(secret).get("/exapps/" + APP + "/heartbeat").statusCode();
                    if (hb == 200) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(hb).as("heartbeat through the front door").isEqualTo(200);
                // init: the ExApp reports progress to "Nextcloud"
                toExApp(secret).post("/exapps/" + APP + "/init").then().statusCode(200);
                long initDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < initDeadline && h.nextcloud.initProgress.stream().noneMatch(p -> p.contains("\"progress\":100"))) {
                    Thread.sleep(200);
                }
                assertThat(h.nextcloud.initProgress).anyMatch(p -> p.startsWith(APP) && p.contains("\"progress\":100"));
                // enable
                toExApp(secret).put("/exapps/" + APP + "/enabled?enabled=1").then().statusCode(200).body("error", equalTo(""));
                toExApp("wrong-secret").put("/exapps/" + APP + "/enabled?enabled=1").then().statusCode(401);
                // S1 exapp_storage, then a user's request goes through the routes to the container
                String meta = "{\"exapp_token\":\"" + secret + "\",\"exapp_version\":\"1.0.0\",\"host\":\"127.0.0.1\",\"port\":23000,"
                        + "\"routes\":[{\"url\":\"^/public$\",\"access_level\":0,\"bruteforce_protection\":[]}]}";
                given().port(port).header("harp-shared-key", KEY).contentType("application/json").body(meta)
                        .post("/exapps/app_api/exapp_storage/" + APP).then().statusCode(204);
                given().port(port).get("/exapps/" + APP + "/public").then().statusCode(200).body("user", equalTo(""))
                        .body("headers.ex-app-id", equalTo(APP));
                appApi().get("/exapps/app_api/v1.44/containers/" + CONTAINER + "/logs?stdout=true&stderr=true&tail=10").then().statusCode(200);
                // disable: /enabled?enabled=0, X6 stop, S2
                toExApp(secret).put("/exapps/" + APP + "/enabled?enabled=0").then().statusCode(200);
                op("stop", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(204);
                op("stop", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(200);
                given().port(port).header("harp-shared-key", KEY).delete("/exapps/app_api/exapp_storage/" + APP).then().statusCode(204);
                // unregister: X1, X2 with data
                op("exists", new JsonObject().put("name", APP).put("instance_id", "")).then().statusCode(200)
                        .body("exists", equalTo(true)).body("image_ref", equalTo(image));
                op("remove", new JsonObject().put("name", APP).put("instance_id", "").put("remove_data", true)).then().statusCode(204);
                op("exists", new JsonObject().put("name", APP).put("instance_id", "")).then().body("exists", equalTo(false));
                assertThat(docker.get("/volumes/" + CONTAINER + "_data").status()).isEqualTo(404);
            } finally {
                cleanUp(docker);
            }
        }
    }

    private static void cleanUp(DockerEngineApi docker) {
        DockerReply r = docker.delete("/containers/" + CONTAINER + "?force=true");
        assertThat(r.status()).isIn(204, 404);
        docker.delete("/volumes/" + CONTAINER + "_data");
    }
}
