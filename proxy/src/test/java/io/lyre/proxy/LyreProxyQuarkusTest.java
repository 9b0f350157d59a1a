package io.lyre.proxy;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The packaged application starts from HaRP's variable names and opens the front door. */
@QuarkusTest
@WithTestResource(NextcloudTestResource.class) // the same resources as ProxyMetricsTest: one application start
class LyreProxyQuarkusTest {
    @Inject
    LyreProxy proxy;

    @Test
    void applicationOpensTheFrontDoorConfiguredByHarpVariables() {
        int port = proxy.server().httpPort();
        given().port(port).header("harp-shared-key", "quarkus-test-key-123").get("/exapps/app_api/info")
                .then().statusCode(200).body("docker", equalTo(true));
        given().port(port).get("/exapps/app_api/info").then().statusCode(401);
    }

    @Test
    void reportsReadinessOnTheManagementPortAndNotOnTheFrontDoor() {
        // RestAssured's default port is Quarkus's own server: the management port.
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'lyre-proxy' }.status", equalTo("UP"));
        given().port(proxy.server().httpPort()).get("/q/health").then().statusCode(404);
    }
}
