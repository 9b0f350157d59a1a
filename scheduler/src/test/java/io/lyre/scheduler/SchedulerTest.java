package io.lyre.scheduler;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.Sharing;
import io.lyre.scheduler.policy.AppApiDefaults;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.lyre.scheduler.SimulatedInventories.A100_40;
import static io.lyre.scheduler.SimulatedInventories.A100_80;
import static io.lyre.scheduler.SimulatedInventories.GIB;
import static io.lyre.scheduler.SimulatedInventories.MI210;
import static io.lyre.scheduler.SimulatedInventories.U250;
import static io.lyre.scheduler.SimulatedInventories.threeSimulatedEngines;
import static org.assertj.core.api.Assertions.assertThat;

/** End-to-end placement on the three simulated hosts. */
class SchedulerTest {

    private final List<Engine> engines = threeSimulatedEngines();
    private final AllocationLedger ledger = new AllocationLedger();
    private final AtomicInteger ids = new AtomicInteger();

    private Scheduler scheduler(Binder binder) {
        return new Scheduler(Scheduler.defaultFilters(), Scheduler.defaultScorers(), ledger, binder,
                () -> "p" + ids.incrementAndGet());
    }

    @Test
    void appApiAsksLandWhereTheirDevicesAre() {
        Scheduler s = scheduler(Binder.NONE);
        Placement cuda = s.schedule(AppApiDefaults.requirement("llm2", "cuda", 8 * GIB, 2_000_000_000L), "h", engines).placement();
        Placement rocm = s.schedule(AppApiDefaults.requirement("whisper", "rocm", null, null), "h", engines).placement();
        Placement cpu = s.schedule(AppApiDefaults.requirement("notes", "cpu", GIB, 500_000_000L), "h", engines).placement();
        assertThat(cuda.engineId()).isEqualTo("sim-host-1");
        assertThat(cuda.deviceIds()).containsExactly(A100_40); // best fit keeps the 80 GB card free
        assertThat(rocm.engineId()).isEqualTo("sim-host-2");
        assertThat(rocm.deviceIds()).containsExactly(MI210);
        assertThat(cpu.engineId()).isEqualTo("sim-host-3"); // CPU work fills the CPU-only host first
        assertThat(ledger.usage("sim-host-1").milliCores()).isEqualTo(2000);
    }

    @Test
    void exclusiveGpusRunOutAndTheRefusalNamesEveryEngine() {
        Scheduler s = scheduler(Binder.NONE);
        Requirement cuda = AppApiDefaults.requirement("a", "cuda", null, null);
        assertThat(s.schedule(cuda.withApp("a"), "h", engines).isPlaced()).isTrue();
        assertThat(s.schedule(cuda.withApp("b"), "h", engines).placement().deviceIds()).containsExactly(A100_80);
        PlacementOutcome third = s.schedule(cuda.withApp("c"), "h", engines);
        assertThat(third.isPlaced()).isFalse();
        assertThat(third.reasons()).containsExactly(
                "sim-host-1: devices: needs 1 NVIDIA GPU; 2 NVIDIA GPUs, 2 match, 0 of them free",
                "sim-host-2: devices: needs 1 NVIDIA GPU; engine has no NVIDIA GPU",
                "sim-host-3: devices: needs 1 NVIDIA GPU; engine has no NVIDIA GPU");
    }

    @Test
    void sharedDevicesTakeUpToTheirLimit() {
        Scheduler s = scheduler(Binder.NONE);
        Requirement shared = Requirement.cpuOnly("x", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1).withSharing(Sharing.shared(3)));
        for (int i = 0; i < 3; i++) {
            assertThat(s.schedule(shared.withApp("x" + i), "h", engines).placement().deviceIds()).containsExactly(MI210);
        }
        assertThat(s.schedule(shared.withApp("x3"), "h", engines).isPlaced()).isFalse();
        assertThat(ledger.release("p1")).isTrue();
        assertThat(s.schedule(shared.withApp("x4"), "h", engines).isPlaced()).isTrue();
    }

    @Test
    void bindFailureReleasesAndTriesTheNextEngine() {
        List<String> tried = new ArrayList<>();
        Binder failsOnHost3 = (p, e) -> {
            tried.add(e.id());
            if (e.id().equals("sim-host-3")) {
                throw new BindException("could not select device driver \"nvidia\" with capabilities: [[gpu]]");
            }
        };
        Scheduler s = scheduler(failsOnHost3);
        PlacementOutcome o = s.schedule(Requirement.cpuOnly("notes", 1000, GIB), "h", engines);
        // host 3 ranks first (no GPUs to keep free); host 1 next (more free CPU and memory than host 2)
        assertThat(tried).containsExactly("sim-host-3", "sim-host-1");
        assertThat(o.placement().engineId()).isEqualTo("sim-host-1");
        assertThat(o.reasons()).singleElement().asString().contains("sim-host-3: bind: could not select device driver");
        assertThat(ledger.usage("sim-host-3").milliCores()).isZero();
        assertThat(ledger.all()).hasSize(1);
    }

    @Test
    void allBindsFailingLeavesNothingReservedAndNamesEachFailure() {
        Scheduler s = scheduler((p, e) -> {
            throw new BindException("engine " + e.id() + " unreachable");
        });
        PlacementOutcome o = s.schedule(Requirement.cpuOnly("notes", 1000, GIB).withEngineLabels("zone = basement"), "h", engines);
        assertThat(o.isPlaced()).isFalse();
        assertThat(o.reasons()).containsExactlyInAnyOrder(
                "sim-host-3: labels: label constraint 'zone = basement' not met (zone=attic)",
                "sim-host-1: bind: engine sim-host-1 unreachable",
                "sim-host-2: bind: engine sim-host-2 unreachable");
        assertThat(ledger.all()).isEmpty();
    }

    @Test
    void lostAndPinnedEnginesAreRespected() {
        Scheduler s = scheduler(Binder.NONE);
        List<Engine> host3Lost = SimulatedInventories.replaceState(engines, "sim-host-3", EngineState.LOST);
        assertThat(s.schedule(Requirement.cpuOnly("a", 1000, GIB), "h", host3Lost).placement().engineId()).isNotEqualTo("sim-host-3");
        assertThat(s.schedule(Requirement.cpuOnly("b", 1000, GIB).withSlot(24002), "h", engines).placement().engineId()).isEqualTo("sim-host-2");
    }

    @Test
    void explainListsScoresAndRefusals() {
        Scheduler s = scheduler(Binder.NONE);
        Requirement fpga = Requirement.cpuOnly("fpga-app", 2000, 4 * GIB).withDevices(DeviceAsk.of(DeviceKind.FPGA, "xilinx", 1));
        Explanation x = s.explain(fpga, engines);
        assertThat(x.feasible()).singleElement().satisfies(r -> {
            assertThat(r.engineId()).isEqualTo("sim-host-2");
            assertThat(r.deviceIds()).containsExactly(U250);
            assertThat(r.scores()).containsOnlyKeys("bin-pack", "spread", "affinity");
            assertThat(r.total()).isEqualTo(5L * r.scores().get("bin-pack") + r.scores().get("spread") + 2L * r.scores().get("affinity"));
        });
        String text = x.render();
        assertThat(text).contains("explain fpga-app: 1 xilinx FPGA; 2 cores; 4 GiB")
                .contains("sim-host-2  24002  BEST score")
                .contains("devices " + U250)
                .contains("sim-host-1  24001  refused by devices: needs 1 xilinx FPGA; engine has no xilinx FPGA");
        assertThat(ledger.all()).as("explain reserves nothing").isEmpty();
    }

    @Test
    void concurrentSchedulersNeverDoubleBookADevice() throws Exception {
        Scheduler s = scheduler(Binder.NONE);
        Requirement oneGpu = Requirement.cpuOnly("g", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "", 1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PlacementOutcome>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                results.add(pool.submit(() -> s.schedule(oneGpu.withApp("g" + n), "h", engines)));
            }
            Set<String> devices = ConcurrentHashMap.newKeySet();
            int placed = 0;
            for (Future<PlacementOutcome> f : results) {
                PlacementOutcome o = f.get();
                if (o.isPlaced()) {
                    placed++;
                    assertThat(devices.add(o.placement().deviceIds().get(0))).as("device given twice").isTrue();
                }
            }
            assertThat(placed).isEqualTo(3); // two A100s and the MI210
        } finally {
            pool.shutdownNow();
        }
    }
}
