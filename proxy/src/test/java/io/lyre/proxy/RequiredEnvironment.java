package io.lyre.proxy;

import io.lyre.proxy.docker.DockerEngineApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests against the real Docker engine and registry need from this machine. Under {@code CI=true} (where
 * {@code .ci/run} starts them) a missing piece fails the test; elsewhere it skips it, saying why.
 */
final class RequiredEnvironment {

    private RequiredEnvironment() {
    }

    static void require(boolean ok, String why) {
        if (!ok) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why + " (CI=true: this test must run)");
            }
            Assumptions.abort(why + " - skipping");
        }
    }

    /** True when the engine answers {@code /_ping}. */
    static boolean answers(DockerEngineApi docker) {
        try {
            return docker.get("/_ping").ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** True when a registry answers {@code GET /v2/} at {@code hostPort}. */
    static boolean registryAnswers(String hostPort) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
