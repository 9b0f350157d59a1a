package io.lyre.proxy;

import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LYRE_POLICIES: placement policies from a config file, loaded all or nothing when the proxy starts. */
class PolicyFileAtStartTest {
    @TempDir
    Path tmp;
    Vertx vertx;

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private ProxyCore start(Path policies) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("HP_SHARED_KEY", FrontDoorHarness.KEY,
                "NC_INSTANCE_URL", "http://127.0.0.1:9", "HP_EXAPPS_ADDRESS", "127.0.0.1:0", "LYRE_LOCAL_DOCKER", "none",
                "LYRE_TUNNEL_ADDRESS", "off", "LYRE_DATA_DIR", tmp.resolve("data").toString()));
        env.put("LYRE_POLICIES", policies.toString());
        return new ProxyCore(vertx, ProxyConfig.fromEnv(env), LyreSettings.fromEnv(env), SchedulingMetrics.NONE,
                FrontDoorMetrics.NONE).start();
    }

    @Test
    void loadsEveryPolicyOfTheDirectoryAtStart() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(dir.resolve("llm2.json"), """
                {"app": "llm2", "devices": [{"kind": "GPU", "vendor": "NVIDIA", "count": 1,
                  "constraints": ["memory >= 20 GiB"]}]}""");
        Files.writeString(dir.resolve("fpga.json"), """
                {"app": "fpga-app", "devices": [{"kind": "FPGA", "vendor": "Xilinx", "count": 1}]}""");

        ProxyCore core = start(dir);
        try {
            assertThat(core.scheduling().policies().get("llm2")).isPresent();
            assertThat(core.scheduling().policies().get("fpga-app")).isPresent();
        } finally {
            core.close();
        }
    }

    @Test
    void refusesToStartOnABadPolicyNamingTheFileAndTheField() throws Exception {
        Path file = tmp.resolve("bad.json");
        Files.writeString(file, """
                {"app": "llm2", "devices": [{"kind": "GPU", "vendor": "NVIDIA", "count": 0}]}""");

        assertThatThrownBy(() -> start(file))
                .hasMessageContaining("LYRE_POLICIES")
                .hasMessageContaining("bad.json")
                .hasMessageContaining("devices[0].count");
    }
}
