package io.lyre.proxy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.devices.Health;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.lyre.proxy.sched.SchedulingService;
import io.lyre.scheduler.store.JdbcPlacementStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.lyre.proxy.RequiredEnvironment.answers;
import static io.lyre.proxy.RequiredEnvironment.require;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * An app that asks for an NVIDIA GPU is placed on an engine whose simulated inventory claims one, but the real
 * engine behind it has no NVIDIA runtime hook: start fails with Docker's "could not select device driver", AppAPI
 * gets a 503 naming that cause, and the GPU's reservation is released.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeviceDriverMissingTest {
    private static final String IMAGE = "lyre/test-exapp:latest";
    private static final String APP = "lyre-nogpu";
    private static final String GPU = "GPU-5a1c0000-0000-4000-8000-000000000001";

    @TempDir
    Path tmp;

    /** The real local engine, with an inventory that claims one NVIDIA GPU it does not have. */
    static final class SimulatedGpuEngine implements Engine {
        private final LocalDockerEngine real;

        SimulatedGpuEngine(LocalDockerEngine real) {
            this.real = real;
        }

        @Override
        public String id() {
            return "simulated-gpu-host";
        }

        @Override
        public int slot() {
            return real.slot();
        }

        @Override
        public String name() {
            return "simulated-gpu-host";
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public HostInventory inventory() {
            Device gpu = new Device(GPU, DeviceKind.GPU, "NVIDIA", "Simulated A100", 40L << 30, 108,
                    Map.of(Device.ATTR_UUID, GPU, Device.ATTR_CUDA_CC, "8.0"), Health.HEALTHY, "", Set.of("simulated"));
            return new HostInventory(new HostFacts("simulated-gpu-host", "linux", "amd64", "Simulated CPU", 1, 4, 8, 1, 16L << 30, List.of()),
                    List.of(gpu), List.of());
        }

        @Override
        public DockerHttpClient httpClient() {
            return real.httpClient();
        }

        @Override
        public DockerClient dockerClient() {
            return real.dockerClient();
        }

        @Override
        public boolean reachableDirectly() {
            return true;
        }
    }

    @Test
    void startWithoutTheNvidiaHookAnswers503NamingTheCauseAndReleasesTheGpu() throws Exception {
        require(Files.exists(Path.of("/var/run/docker.sock")), "no Docker engine at /var/run/docker.sock");
        try (LocalDockerEngine local = new LocalDockerEngine("unix:///var/run/docker.sock", 24007, Duration.ofSeconds(5), Duration.ofSeconds(60))) {
            DockerEngineApi docker = new DockerEngineApi(local);
            require(answers(docker), "the Docker engine does not answer");
            require(docker.get("/images/" + IMAGE + "/json").ok(), IMAGE + " is missing (deploy/images/build-all.sh)");
            String runtimes = docker.get("/info").json().getJsonObject("Runtimes", new JsonObject()).encode();
            require(!runtimes.contains("nvidia"), "this engine has an NVIDIA runtime: the failure cannot be shown here");
            docker.delete("/containers/nc_app_" + APP + "?force=true");

            try (FrontDoorHarness h = new FrontDoorHarness(Map.of());
                 SchedulingService scheduling = new SchedulingService(JdbcPlacementStore.h2(tmp), h.engines, h.placements, SchedulingMetrics.NONE)) {
                h.engines.register(new SimulatedGpuEngine(local));
                FrontDoorServer server = new FrontDoorServer(h.vertx, h.config, h.engines, h.placements, Optional.empty(),
                        Optional.of(scheduling), FrontDoorMetrics.NONE);
                server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                try {
                    var appApi = given().port(server.httpPort()).header("harp-shared-key", FrontDoorHarness.KEY)
                            .header("docker-engine-port", "24000").contentType("application/json");
                    appApi.body(new JsonObject().put("name", APP).put("image_id", IMAGE).put("compute_device", "cuda")
                                    .put("environment_variables", new JsonArray().add("NVIDIA_VISIBLE_DEVICES=all")).encode())
                            .post("/exapps/app_api/docker/exapp/create").then().statusCode(201);
                    assertThat(scheduling.ledger().all()).hasSize(1);
                    JsonObject inspect = docker.get("/containers/nc_app_" + APP + "/json").json();
                    JsonObject request = inspect.getJsonObject("HostConfig").getJsonArray("DeviceRequests").getJsonObject(0);
                    assertThat(request.getJsonArray("DeviceIDs").getList()).containsExactly(GPU);
                    assertThat(request.getInteger("Count")).isNotEqualTo(-1);
                    assertThat(inspect.getJsonObject("Config").getJsonArray("Env").getList()).contains("NVIDIA_VISIBLE_DEVICES=" + GPU)
                            .doesNotContain("NVIDIA_VISIBLE_DEVICES=all");
                    assertThat(inspect.getJsonObject("Config").getJsonObject("Labels").getString("io.lyre.devices")).isEqualTo(GPU);

                    given().port(server.httpPort()).header("harp-shared-key", FrontDoorHarness.KEY).header("docker-engine-port", "24000")
                            .contentType("application/json").body(new JsonObject().put("name", APP).encode())
                            .post("/exapps/app_api/docker/exapp/start").then().statusCode(503)
                            .body(containsString("could not select device driver"));
                    assertThat(scheduling.ledger().all()).as("the GPU's reservation").isEmpty();
                    assertThat(scheduling.store().byApp(APP)).isEmpty();
                    assertThat(scheduling.store().events(5)).anyMatch(e -> e.type().equals("RELEASED") && e.detail().contains("device driver"));
                } finally {
                    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
            } finally {
                docker.delete("/containers/nc_app_" + APP + "?force=true");
                docker.delete("/volumes/nc_app_" + APP + "_data");
            }
        }
    }
}
