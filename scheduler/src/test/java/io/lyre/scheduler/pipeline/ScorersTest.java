package io.lyre.scheduler.pipeline;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.ledger.Reservation;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;
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

/** Every scorer, one row per case: scorer, engine, already reserved, requirement -> exact score 0..100. */
class ScorersTest {

    private static final List<Engine> ENGINES = threeSimulatedEngines();
    private static final Engine HOST1 = ENGINES.get(0);
    private static final Engine HOST2 = ENGINES.get(1);
    private static final Engine HOST3 = ENGINES.get(2);

    private static Reservation holding(Engine e, long milliCores, long memory, DeviceClaim... claims) {
        return new Reservation("held-" + System.nanoTime(), "other", e.id(), milliCores, memory, List.of(claims));
    }

    static Stream<Arguments> cases() {
        Requirement cpu = Requirement.cpuOnly("a", 4000, 16 * GIB);
        Requirement gpu = Requirement.cpuOnly("a", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1));
        Requirement bigGpu = Requirement.cpuOnly("a", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1, "memory >= 60 GiB"));
        Requirement preferA100_80 = Requirement.cpuOnly("a", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1)
                .withAffinities(List.of(Affinity.parse("memory >= 60 GiB", 60), Affinity.parse("cuda.cc >= 9.0", 40))));
        Requirement avoidSmall = Requirement.cpuOnly("a", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1)
                .withAffinities(List.of(Affinity.parse("memory < 60 GiB", -100))));
        BinPackScorer binPack = new BinPackScorer();
        SpreadScorer spread = new SpreadScorer();
        AffinityScorer affinity = new AffinityScorer();
        return Stream.of(
                // CPU work: CPU-only hosts first, then GPU hosts whose GPUs are busy anyway.
                arguments("bin-pack: cpu app on cpu host", binPack, HOST3, List.of(), cpu, 100),
                arguments("bin-pack: cpu app on idle gpu host", binPack, HOST1, List.of(), cpu, 0),
                arguments("bin-pack: cpu app on half-busy gpu host", binPack, HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_40, 1))), cpu, 25),
                // headroom: host 1 keeps 16 cores (32 / 2 devices) for its free GPU; this app would leave 8 of them
                arguments("bin-pack: cpu app eating a free gpu's cores", binPack, HOST1, List.of(holding(HOST1, 20000, 0, new DeviceClaim(A100_40, 1))), cpu, 13),
                // GPU work: 40 % "engine used after", 60 % "small next to the cluster's biggest card" (80 GiB).
                arguments("bin-pack: 1 gpu on idle host takes the 40G", binPack, HOST1, List.of(), gpu, 50),
                arguments("bin-pack: 1 gpu fills the host", binPack, HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_40, 1))), gpu, 40),
                arguments("bin-pack: big ask on idle host", binPack, HOST1, List.of(), bigGpu, 20),
                arguments("bin-pack: amd gpu fills host 2's only gpu", binPack, HOST2, List.of(),
                        Requirement.cpuOnly("a", 0, 0).withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1)), 52),
                arguments("spread: idle host", spread, HOST3, List.of(), Requirement.cpuOnly("a", 0, 0), 100),
                arguments("spread: half cores, half memory", spread, HOST3, List.of(), cpu, 50),
                arguments("spread: already busy", spread, HOST3, List.of(holding(HOST3, 4000, 16 * GIB)), cpu, 0),
                arguments("spread: big host barely used", spread, HOST1, List.of(), cpu, 91),
                arguments("affinity: none asked", affinity, HOST1, List.of(), gpu, 0),
                arguments("affinity: all satisfied", affinity, HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_40, 1))), preferA100_80, 80),
                arguments("affinity: best device chosen first", affinity, HOST1, List.of(), preferA100_80, 80),
                arguments("affinity: only the avoided one is left", affinity, HOST1, List.of(holding(HOST1, 0, 0, new DeviceClaim(A100_80, 1))), avoidSmall, 0),
                arguments("affinity: avoided one dodged", affinity, HOST1, List.of(), avoidSmall, 50),
                arguments("affinity: amd host, none asked", affinity, HOST2, List.of(holding(HOST2, 0, 0, new DeviceClaim(MI210, 1))), cpu, 0));
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("cases")
    void scores(String name, EngineScorer scorer, Engine engine, List<Reservation> held, Requirement r, int expected) {
        AllocationLedger ledger = new AllocationLedger();
        held.forEach(h -> assertThat(ledger.tryReserve(h, engine)).isEmpty());
        Candidate c = new Candidate(engine, ledger.usage(engine.id()), ClusterFacts.of(ENGINES));
        assertThat(new DeviceFitFilter().test(r, c).passed()).as("device filter").isTrue();
        assertThat(scorer.score(r, c)).isEqualTo(expected);
    }
}
