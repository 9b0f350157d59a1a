package io.lyre.proxy;

import io.lyre.proxy.admin.AdminApi;
import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** The admin REST API on a real proxy core (tunnel and store included): good calls and clear JSON errors for bad input. */
class AdminApiTest {
    @TempDir
    static Path tmp;
    static Vertx vertx;
    static ProxyCore core;
    static HttpServer admin;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Map<String, String> env = Map.of("HP_SHARED_KEY", FrontDoorHarness.KEY, "NC_INSTANCE_URL", "http://127.0.0.1:9/index.php",
                "HP_EXAPPS_ADDRESS", "127.0.0.1:0", "LYRE_LOCAL_DOCKER", "none", "LYRE_TUNNEL_ADDRESS", "127.0.0.1:0",
                "LYRE_DATA_DIR", tmp.toString());
        core = new ProxyCore(vertx, ProxyConfig.fromEnv(env), LyreSettings.fromEnv(env), SchedulingMetrics.NONE, FrontDoorMetrics.NONE).start();
        Router router = Router.router(vertx);
        new AdminApi(vertx, () -> core).mount(router);
        admin = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close().toCompletionStage().toCompletableFuture().get();
        core.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static RequestSpecification api() {
        return given().port(admin.actualPort());
    }

    @Test
    void joinTokenCarriesTheCaFingerprintAndABadTtlIsRefusedNamingTtl() {
        api().queryParam("ttl", "30m").post("/api/v1/join-tokens").then().statusCode(201).body("token", startsWith("LYRE1::sha256:"));
        api().queryParam("ttl", "banana").post("/api/v1/join-tokens").then().statusCode(400)
                .contentType("application/json").body("error", startsWith("ttl:"));
        api().queryParam("ttl", "90d").post("/api/v1/join-tokens").then().statusCode(400).body("error", containsString("30d"));
    }

    @Test
    void policiesAreValidatedWithErrorsNamingTheField() {
        String good = "{\"devices\":[{\"kind\":\"GPU\",\"vendor\":\"NVIDIA\",\"count\":1}]}";
        api().contentType("application/json").body(good).put("/api/v1/policies/llm2").then().statusCode(200).body("app", equalTo("llm2"));
        api().get("/api/v1/policies/llm2").then().statusCode(200).body("app", equalTo("llm2"));
        api().contentType("application/json").body("{\"slot\":5}").put("/api/v1/policies/llm2").then().statusCode(400)
                .body("error", containsString("slot"));
        api().contentType("application/json").body("not json").put("/api/v1/policies/llm2").then().statusCode(400)
                .body("error", startsWith("body:"));
        api().contentType("application/json").body("{\"app\":\"other\"}").put("/api/v1/policies/llm2").then().statusCode(400)
                .body("error", startsWith("app:"));
        api().delete("/api/v1/policies/llm2").then().statusCode(204);
        api().get("/api/v1/policies/llm2").then().statusCode(404).body("error", containsString("llm2"));
    }

    @Test
    void unknownAgentsEnginesAndEndpointsAre404AndBadLimitsAre400() {
        api().get("/api/v1/agents").then().statusCode(200).body("size()", equalTo(0));
        api().delete("/api/v1/agents/nope").then().statusCode(404).body("error", containsString("nope"));
        api().post("/api/v1/engines/nope/drain").then().statusCode(404).body("error", containsString("nope"));
        api().queryParam("limit", "abc").get("/api/v1/events").then().statusCode(400).body("error", startsWith("limit:"));
        api().get("/api/v1/nothing").then().statusCode(404).contentType("application/json");
        api().get("/api/v1/engines").then().statusCode(200).body("size()", equalTo(0));
        api().get("/api/v1/placements").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void explainAnswersTextAndJson() {
        api().get("/api/v1/explain/some-app").then().statusCode(200).contentType(containsString("text/plain"));
        api().accept("application/json").get("/api/v1/explain/some-app").then().statusCode(200).body("app", equalTo("some-app"));
    }
}
