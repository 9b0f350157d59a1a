package io.lyre.scheduler.pipeline;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.SimulatedInventories;
import io.lyre.scheduler.ledger.EngineUsage;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.SchedulableDevice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.lyre.scheduler.SimulatedInventories.nvidia;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Which concrete devices an ask gets on a simulated 4-GPU host: best fit, affinities, same NUMA node. */
class DeviceSelectorTest {

    // Simulated: NUMA 0 holds a 24 GiB and an 80 GiB card, NUMA 1 holds a 48 GiB and a 24 GiB card.
    private static final Engine SIMULATED_FOUR_GPUS = Engine.of("sim-four", 24010, Map.of(), EngineState.READY,
            SimulatedInventories.inventory("sim-four", 64, 512, List.of(
                    nvidia("GPU-a", "NVIDIA RTX A5000", 24, "8.6", 0, "0000:01:00.0"),
                    nvidia("GPU-b", "NVIDIA A100 80GB", 80, "8.0", 0, "0000:02:00.0"),
                    nvidia("GPU-c", "NVIDIA RTX A6000", 48, "8.6", 1, "0000:81:00.0"),
                    nvidia("GPU-d", "NVIDIA RTX A5000", 24, "8.6", 1, "0000:82:00.0"))));

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("best fit takes the smallest card", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1), List.of("GPU-a")),
                arguments("constraint skips small cards", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1, "memory >= 40 GiB"), List.of("GPU-c")),
                arguments("affinity wins over size", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1)
                        .withAffinities(List.of(Affinity.parse("model matches A100", 50))), List.of("GPU-b")),
                arguments("two GPUs on one NUMA node", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 2), List.of("GPU-a", "GPU-b")),
                arguments("two big GPUs cross nodes when no node can", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 2, "memory >= 40 GiB"), List.of("GPU-c", "GPU-b")),
                arguments("two A[56]000s stay on node 1 rather than split", DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 2, "cuda.cc >= 8.6", "memory >= 24 GiB", "model matches A[56]000"), List.of("GPU-d", "GPU-c")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chooses(String name, DeviceAsk ask, List<String> expected) {
        List<SchedulableDevice> got = DeviceSelector.select(ask, SIMULATED_FOUR_GPUS, EngineUsage.EMPTY, Set.of());
        assertThat(got).extracting(SchedulableDevice::id).containsExactlyElementsOf(expected);
    }
}
