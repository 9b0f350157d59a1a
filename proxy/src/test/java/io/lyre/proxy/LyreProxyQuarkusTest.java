package io.lyre.proxy;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The packaged application starts from HaRP's variable names and opens the front door. */
@QuarkusTest
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
}
