package io.lyre.proxy;

import io.lyre.proxy.control.HttpReply;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.FirstFitChooser;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.lyre.proxy.sched.SchedulingService;
import io.lyre.scheduler.store.JdbcPlacementStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AppAPI's create request is kept in the store, so after a proxy restart a lost or drained engine's app can still
 * be created again; the master key is not kept at rest. Uses the simulated GPU engine of DeviceDriverMissingTest
 * (no container is created: the bind step is a stand-in answering 201).
 */
class CreateRequestSurvivesRestartTest {
    @TempDir
    Path data;

    private static SchedulingService service(Path data, LocalDockerEngine unused) {
        EngineRegistry engines = new EngineRegistry(new FirstFitChooser());
        engines.register(new DeviceDriverMissingTest.SimulatedGpuEngine(unused));
        return new SchedulingService(JdbcPlacementStore.h2(data), engines, new ExAppPlacements(), SchedulingMetrics.NONE);
    }

    @Test
    void aRestartedProxyStillKnowsHowToCreateTheAppAgainWithoutTheMasterKey() throws Exception {
        JsonObject body = new JsonObject().put("name", "llm2").put("image_id", "lyre/test-exapp:latest")
                .put("compute_device", "cuda")
                .put("environment_variables", new JsonArray().add("APP_ID=llm2").add("APP_SECRET=s3cret")
                        .add("HP_SHARED_KEY=master").add("HP_FRP_ADDRESS=harp").add("HP_FRP_PORT=8782"));
        try (LocalDockerEngine unused = new LocalDockerEngine("unix:///nonexistent/docker.sock", 24007,
                Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            SchedulingService before = service(data, unused);
            HttpReply created = before.create("llm2", 24000, body,
                    (engine, binding) -> HttpReply.json(201, new JsonObject().put("id", "c1").put("name", "nc_app_llm2")));
            assertThat(created.status()).isEqualTo(201);
            before.close();

            SchedulingService after = service(data, unused);
            try {
                assertThat(after.createBody("llm2")).hasValueSatisfying(b -> {
                    assertThat(b.getString("compute_device")).isEqualTo("cuda");
                    assertThat(b.getJsonArray("environment_variables").getList())
                            .contains("APP_ID=llm2", "APP_SECRET=s3cret")
                            .noneMatch(e -> e.toString().startsWith("HP_"));
                });
                assertThat(after.explain("llm2").render()).contains("NVIDIA");

                after.release("llm2", "removed by AppAPI");
                assertThat(after.createBody("llm2")).isEmpty();
            } finally {
                after.close();
            }
        }
    }
}
