package io.lyre.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test only: the benchmark's state builds and one decision runs. The benchmark itself never runs in verify. */
class SchedulerBenchmarkStateTest {

    @Test
    void stateBuildsAndDecides() {
        SchedulerBenchmark b = new SchedulerBenchmark();
        b.setUp();
        assertThat(b.engines).hasSize(99).allSatisfy(e -> assertThat(e.devices().stream()
                .filter(d -> d.kind() == io.lyre.devices.DeviceKind.GPU)).hasSize(8));
        assertThat(b.requests).hasSize(10_000);
        assertThat(b.decide().isPlaced()).isTrue();
    }
}
