package io.lyre.scheduler.recovery;

import io.lyre.scheduler.Binder;
import io.lyre.scheduler.PlacementOutcome;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.SimulatedInventories;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.policy.AppApiDefaults;
import io.lyre.scheduler.policy.PolicyHash;
import io.lyre.scheduler.store.JdbcPlacementStore;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.PlacementStore;
import io.lyre.scheduler.store.SchedulerEvent;
import io.lyre.scheduler.store.StoredPlacement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.lyre.scheduler.SimulatedInventories.GIB;
import static org.assertj.core.api.Assertions.assertThat;

/** Loss and drain on the three simulated hosts, with the H2 store. */
class ReschedulingTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dataDir;

    private PlacementStore store;
    private final AllocationLedger ledger = new AllocationLedger();
    private final List<String> unbound = new ArrayList<>();
    private final Map<String, Requirement> requirements = new HashMap<>();
    private Scheduler scheduler;
    private List<Engine> engines = SimulatedInventories.threeSimulatedEngines();

    @BeforeEach
    void setUp() {
        store = JdbcPlacementStore.h2(dataDir);
        scheduler = Scheduler.standard(ledger, new Binder() {
            @Override
            public void bind(io.lyre.scheduler.Placement placement, Engine engine) {
            }

            @Override
            public void unbind(String engineId, String app, String placementId) {
                unbound.add(app + "@" + engineId);
            }
        });
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private void deploy(Requirement r) {
        requirements.put(r.app(), r);
        PlacementOutcome o = scheduler.schedule(r, PolicyHash.of(r), engines);
        assertThat(o.isPlaced()).as(o.summary()).isTrue();
        store.save(StoredPlacement.of(o.placement(), PlacementState.BOUND, T0));
    }

    private Optional<Requirement> requirement(String app) {
        return Optional.ofNullable(requirements.get(app));
    }

    @Test
    void lostEngineAppsMoveAfterGraceUnlessTheirPolicySaysStay() {
        deploy(Requirement.cpuOnly("notes", 2000, 4 * GIB));          // lands on host 3 (CPU only)
        deploy(Requirement.cpuOnly("pinned-data", 1000, GIB));         // host 3 too
        requirements.put("pinned-data", new Requirement("pinned-data", 1000, GIB, List.of(), List.of(), java.util.OptionalInt.empty(), false));
        deploy(AppApiDefaults.requirement("llm2", "cuda", null, null)); // host 1
        assertThat(store.onEngine("sim-host-3")).hasSize(2);

        engines = SimulatedInventories.replaceState(engines, "sim-host-3", EngineState.LOST);
        Rescheduler r = new Rescheduler(scheduler, store, this::requirement, Duration.ofSeconds(30));
        assertThat(r.onEngineLost("sim-host-3", T0, T0.plusSeconds(10), engines).withinGrace()).isTrue();
        assertThat(store.byApp("notes").orElseThrow().engineId()).isEqualTo("sim-host-3");

        Rescheduler.Report report = r.onEngineLost("sim-host-3", T0, T0.plusSeconds(31), engines);
        assertThat(report.moved()).containsExactly("notes");
        assertThat(report.kept()).containsExactly("pinned-data");
        assertThat(store.byApp("notes").orElseThrow().engineId()).isIn("sim-host-1", "sim-host-2");
        assertThat(store.byApp("pinned-data").orElseThrow().state()).isEqualTo(PlacementState.LOST);
        assertThat(r.counts()).isEqualTo(new Rescheduler.Counts(1, 1, 0));
        assertThat(store.events(10)).extracting(SchedulerEvent::type).contains(SchedulerEvent.MOVED, SchedulerEvent.KEPT);
        assertThat(ledger.onEngine("sim-host-3")).extracting(res -> res.app()).containsExactly("pinned-data");

        // When host 3 comes back, its copy of "notes" is stale and is removed; "pinned-data" is kept.
        var actions = Reconciler.plan("sim-host-3", store.all(), List.of(
                new EngineContainer("c-notes", "nc_app_notes", Map.of("io.lyre.app", "notes", "io.lyre.placement-id", "old"), "running")), T0);
        assertThat(actions).hasSize(2).anySatisfy(a -> assertThat(a).isInstanceOf(ReconcileAction.RemoveStale.class));
    }

    @Test
    void gpuAppWithNowhereToGoIsCountedAsFailed() {
        deploy(AppApiDefaults.requirement("a", "cuda", null, null));
        deploy(AppApiDefaults.requirement("b", "cuda", null, null));
        engines = SimulatedInventories.replaceState(engines, "sim-host-1", EngineState.LOST);
        Rescheduler r = new Rescheduler(scheduler, store, this::requirement, Duration.ZERO);
        Rescheduler.Report report = r.onEngineLost("sim-host-1", T0, T0, engines);
        assertThat(report.failed()).containsExactly("a", "b");
        assertThat(store.events(1).get(0).detail()).contains("engine has no NVIDIA GPU");
    }

    @Test
    void drainMovesAppsMakeBeforeBreak() {
        deploy(Requirement.cpuOnly("notes", 2000, 4 * GIB));
        deploy(Requirement.cpuOnly("huge", 0, 200 * GIB)); // only host 1 has the memory
        Drainer d = new Drainer(scheduler, store, this::requirement, Clock.fixed(T0, ZoneOffset.UTC));
        List<Drainer.Move> moves = d.drain("sim-host-3", engines);
        assertThat(moves).singleElement().satisfies(m -> {
            assertThat(m.app()).isEqualTo("notes");
            assertThat(m.moved()).isTrue();
        });
        assertThat(store.onEngine("sim-host-3")).isEmpty();
        assertThat(unbound).containsExactly("notes@sim-host-3");
        assertThat(ledger.onEngine("sim-host-3")).isEmpty();

        List<Drainer.Move> stuck = d.drain("sim-host-1", engines);
        assertThat(stuck).filteredOn(m -> m.app().equals("huge")).singleElement()
                .satisfies(m -> assertThat(m.problem()).contains("needs 200 GiB memory"));
        assertThat(store.byApp("huge").orElseThrow().engineId()).isEqualTo("sim-host-1");
    }
}
