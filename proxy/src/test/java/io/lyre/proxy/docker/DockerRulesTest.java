package io.lyre.proxy.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** API version lowering, the pull-stream error detection and the tag-suffix placement hint. */
class DockerRulesTest {

    @ParameterizedTest(name = "{0} on an engine at {1} -> {2}")
    @CsvSource({"/v1.44/_ping,1.41,/v1.41/_ping", "/v1.40/_ping,1.41,/v1.40/_ping", "/_ping,1.41,/_ping",
            "/v1.44/images/create,1.44,/v1.44/images/create", "/v2.0/x,1.41,/v1.41/x"})
    void callersApiVersionIsLoweredToTheEngines(String path, String engineMax, String expected) {
        assertThat(DockerApiVersions.rewrite(path, engineMax)).isEqualTo(expected);
    }

    private static PullProgress feed(String ndjson) {
        PullProgress p = new PullProgress();
        byte[] b = ndjson.getBytes(StandardCharsets.UTF_8);
        p.accept(b, b.length);
        p.finish();
        return p;
    }

    @Test
    void errorLineInsideA200PullIsDetectedAsNotFound() {
        PullProgress p = feed("{\"status\":\"Pulling from library/x\",\"id\":\"latest-cuda\"}\n"
                + "{\"errorDetail\":{\"message\":\"manifest for x:latest-cuda not found: manifest unknown\"},\"error\":\"manifest for x:latest-cuda not found: manifest unknown\"}");
        assertThat(p.failed()).isTrue();
        assertThat(p.resolved()).isFalse();
        assertThat(PullProgress.statusFor(p.error())).isEqualTo(404);
        assertThat(PullProgress.statusFor("unexpected EOF")).isEqualTo(500);
    }

    @Test
    void layerProgressMeansTheManifestResolved() {
        PullProgress p = feed("{\"status\":\"Pulling from library/x\",\"id\":\"1\"}\n{\"status\":\"Pulling fs layer\",\"id\":\"abc\"}\n");
        assertThat(p.failed()).isFalse();
        assertThat(p.resolved()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"ghcr.io/nextcloud/llm2:1.2-cuda,cuda", "localhost:5000/app:latest-rocm,rocm", "app,cpu", "app:1.0-cpu,cpu"})
    void pullIsPlacedByTheTagsComputeDeviceSuffix(String image, String device) {
        assertThat(PlacementAsk.forImage(image).computeDevice()).isEqualTo(device);
    }

    @ParameterizedTest
    @CsvSource({"GET,/v1.44/_ping,true", "GET,/_ping,true", "GET,/v1.44/images/a/b:c/json,true",
            "GET,/v1.44/containers/nc_app_x/json,true", "GET,/v1.44/containers/nc_app_x/logs,true",
            "POST,/v1.44/images/create,true", "GET,/v1.44/containers/nc_app_x%2F..%2Fother/json,false",
            "POST,/v1.44/_ping,false", "GET,/v1.44/containers/json,false", "GET,/v1.44/version,false"})
    void harpsAllowList(String method, String path, boolean allowed) {
        assertThat(DockerApiAllowList.allows(method, path)).isEqualTo(allowed);
    }
}
