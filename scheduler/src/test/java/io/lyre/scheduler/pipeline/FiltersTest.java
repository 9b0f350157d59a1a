package io.lyre.scheduler.pipeline;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.ledger.Reservation;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.Sharing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.lyre.scheduler.SimulatedInventories.A100_40;
import static io.lyre.scheduler.SimulatedInventories.A100_80;
import static io.lyre.scheduler.SimulatedInventories.GIB;
import static io.lyre.scheduler.SimulatedInventories.MI210;
import static io.lyre.scheduler.SimulatedInventories.threeSimulatedEngines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every filter, one row per case: filter, engine, already reserved, requirement -> pass, or the reason's gist. */
class FiltersTest {

    private static final List<Engine> ENGINES = threeSimulatedEngines();
    private static final Engine HOST1 = ENGINES.get(0);
    private static final Engine HOST2 = ENGINES.get(1);
    private static final Engine HOST3 = ENGINES.get(2);

    private static Requirement app() {
        return Requirement.cpuOnly("app", 1000, GIB);
    }

    private static Reservation holding(Engine e, long milliCores, long memory, DeviceClaim... claims) {
        return new Reservation("held-" + System.nanoTime(), "other", e.id(), milliCores, memory, List.of(claims));
    }

    static Stream<Arguments> cases() {
        DeviceAsk oneNvidia = DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1);
        return Stream.of(
                arguments("ready: READY passes", new EngineReadyFilter(), HOST1, List.of(), app(), null),
                arguments("ready: DRAINING refused", new EngineReadyFilter(), HOST1.withState(EngineState.DRAINING), List.of(), app(), "engine is DRAINING"),
                arguments("ready: LOST refused", new EngineReadyFilter(), HOST1.withState(EngineState.LOST), List.of(), app(), "engine is LOST"),
                arguments("slot: no pin passes", new SlotPinFilter(), HOST2, List.of(), app(), null),
                arguments("slot: pinned here passes", new SlotPinFilter(), HOST2, List.of(), app().withSlot(24002), null),
                arguments("slot: pinned elsewhere refused", new SlotPinFilter(), HOST2, List.of(), app().withSlot(24001), "pinned to slot 24001; engine holds slot 24002"),
                arguments("labels: none passes", new EngineLabelFilter(), HOST3, List.of(), app(), null),
                arguments("labels: match passes", new EngineLabelFilter(), HOST1, List.of(), app().withEngineLabels("zone = basement", "tier in (gpu, mixed)"), null),
                arguments("labels: mismatch refused", new EngineLabelFilter(), HOST3, List.of(), app().withEngineLabels("zone = basement"), "'zone = basement' not met (zone=attic)"),
                arguments("labels: unset refused", new EngineLabelFilter(), HOST3, List.of(), app().withEngineLabels("tier = gpu"), "(tier unset)"),
                arguments("cores: fits", new CoresFilter(), HOST3, List.of(), Requirement.cpuOnly("a", 8000, 0), null),
                arguments("cores: no ask fits anywhere", new CoresFilter(), HOST3, List.of(holding(HOST3, 8000, 0)), Requirement.cpuOnly("a", 0, 0), null),
                arguments("cores: too many", new CoresFilter(), HOST3, List.of(), Requirement.cpuOnly("a", 8500, 0), "needs 8.5 cores, 8 of 8 free"),
                arguments("cores: taken by others", new CoresFilter(), HOST3, List.of(holding(HOST3, 6000, 0)), Requirement.cpuOnly("a", 4000, 0), "needs 4 cores, 2 of 8 free"),
                arguments("memory: fits", new MemoryFilter(), HOST3, List.of(), Requirement.cpuOnly("a", 0, 32 * GIB), null),
                arguments("memory: too much", new MemoryFilter(), HOST3, List.of(holding(HOST3, 0, 30 * GIB)), Requirement.cpuOnly("a", 0, 4 * GIB), "needs 4 GiB memory, 2 GiB of 32 GiB free"),
                arguments("devices: none asked passes", new DeviceFitFilter(), HOST3, List.of(), app(), null),
                arguments("devices: NVIDIA on host 1", new DeviceFitFilter(), HOST1, List.of(), app().withDevices(oneNvidia), null),
                arguments("devices: vendor alias 10de", new DeviceFitFilter(), HOST1, List.of(), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "10de", 2)), null),
                arguments("devices: NVIDIA not on host 2", new DeviceFitFilter(), HOST2, List.of(), app().withDevices(oneNvidia), "engine has no NVIDIA GPU"),
                arguments("devices: CPU host has none", new DeviceFitFilter(), HOST3, List.of(), app().withDevices(DeviceAsk.of(DeviceKind.FPGA, "", 1)), "engine has no FPGA"),
                arguments("devices: constraint fails", new DeviceFitFilter(), HOST1, List.of(), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1, "memory >= 100 GiB")), "0 match"),
                arguments("devices: constraint passes on one", new DeviceFitFilter(), HOST1, List.of(), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1, "memory >= 60 GiB", "cuda.cc >= 8.0")), null),
                arguments("devices: both GPUs taken", new DeviceFitFilter(), HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_40, 1), new DeviceClaim(A100_80, 1))), app().withDevices(oneNvidia), "2 match, 0 of them free"),
                arguments("devices: 2 asked, 1 free", new DeviceFitFilter(), HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_40, 1))), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 2)), "1 of them free"),
                arguments("devices: shared joins shared", new DeviceFitFilter(), HOST2, List.of(holding(HOST2, 0, 0, new DeviceClaim(MI210, 3))), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1).withSharing(Sharing.shared(3))), null),
                arguments("devices: shared device full", new DeviceFitFilter(), HOST2, List.of(holding(HOST2, 0, 0, new DeviceClaim(MI210, 2)), holding(HOST2, 0, 0, new DeviceClaim(MI210, 2))), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1).withSharing(Sharing.shared(4))), "0 of them free"),
                arguments("devices: exclusive never joins shared", new DeviceFitFilter(), HOST2, List.of(holding(HOST2, 0, 0, new DeviceClaim(MI210, 4))), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1)), "0 of them free"),
                arguments("devices: shared never joins exclusive", new DeviceFitFilter(), HOST2, List.of(holding(HOST2, 0, 0, new DeviceClaim(MI210, 1))), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1).withSharing(Sharing.shared(4))), "0 of them free"),
                arguments("devices: GPU + FPGA together", new DeviceFitFilter(), HOST2, List.of(), app().withDevices(DeviceAsk.of(DeviceKind.GPU, "amd", 1), DeviceAsk.of(DeviceKind.FPGA, "xilinx", 1)), null),
                arguments("devices: two asks never share one device", new DeviceFitFilter(), HOST1, List.of(), app().withDevices(oneNvidia, oneNvidia, oneNvidia), "0 of them free"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, EngineFilter filter, Engine engine, List<Reservation> held, Requirement r, String refusal) {
        AllocationLedger ledger = new AllocationLedger();
        held.forEach(h -> assertThat(ledger.tryReserve(h, engine)).isEmpty());
        Candidate c = new Candidate(engine, ledger.usage(engine.id()), ClusterFacts.of(ENGINES));
        FilterVerdict v = filter.test(r, c);
        if (refusal == null) {
            assertThat(v.passed()).as(v.toString()).isTrue();
        } else {
            assertThat(v.passed()).isFalse();
            assertThat(v.reason()).contains(refusal);
        }
    }
}
