package io.lyre.proxy;

import io.lyre.proxy.docker.LocalDockerEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** An engine that is down answers 503, one that is too slow 504, as HaRP (harp.md §2.5). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DockerEngineFailureTest {

    @Test
    void engineThatIsDownGives503AndOneTooSlowGives504() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (FrontDoorHarness h = new FrontDoorHarness(Map.of());
             ServerSocket silent = new ServerSocket(0);
             LocalDockerEngine down = new LocalDockerEngine("tcp://127.0.0.1:1", 24001, Duration.ofSeconds(2), Duration.ofSeconds(1));
             LocalDockerEngine slow = new LocalDockerEngine("tcp://127.0.0.1:" + silent.getLocalPort(), 24002,
                     Duration.ofSeconds(2), Duration.ofSeconds(1))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accept, read nothing, answer nothing
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            h.engines.register(down);
            h.engines.register(slow);
            given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY).header("docker-engine-port", "24001")
                    .contentType("application/json").body("{\"name\":\"x\",\"instance_id\":\"\"}")
                    .post("/exapps/app_api/docker/exapp/exists").then().statusCode(503)
                    .body(equalTo("Could not connect to Docker Engine on port 24001"));
            given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY).header("docker-engine-port", "24001")
                    .get("/exapps/app_api/v1.44/_ping").then().statusCode(503);
            given().port(h.port()).header("harp-shared-key", FrontDoorHarness.KEY).header("docker-engine-port", "24002")
                    .contentType("application/json").body("{\"name\":\"x\"}")
                    .post("/exapps/app_api/docker/exapp/start").then().statusCode(504);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
