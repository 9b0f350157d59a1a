package io.lyre.scheduler.recovery;

import io.lyre.scheduler.docker.PlacementLabels;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.StoredPlacement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ReconcilerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    private static StoredPlacement stored(String id, String app, String engine) {
        return new StoredPlacement(id, app, engine, List.of(new DeviceClaim("GPU-a", 1)), 1000, 1L << 30, "h", PlacementState.BOUND, NOW, NOW);
    }

    private static EngineContainer container(String cid, String app, String placementId) {
        return new EngineContainer(cid, "nc_app_" + app, Map.of(PlacementLabels.APP, app, PlacementLabels.PLACEMENT_ID, placementId,
                PlacementLabels.ENGINE, "e1", PlacementLabels.DEVICES, "GPU-a,0000:3b:00.0", PlacementLabels.DEVICE_SHARING, "1,4",
                PlacementLabels.MILLI_CORES, "1500", PlacementLabels.MEMORY_BYTES, "1024"), "running");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("agreement: nothing to do", List.of(stored("p1", "llm2", "e1")), List.of(container("c1", "llm2", "p1")), List.of()),
                arguments("foreign containers are ignored", List.of(), List.of(new EngineContainer("c9", "postgres", Map.of(), "running")), List.of()),
                arguments("unknown app is adopted", List.of(), List.of(container("c1", "llm2", "p1")), List.of("adopt llm2 p1 c1")),
                arguments("app placed elsewhere: stale copy removed", List.of(stored("p2", "llm2", "e2")), List.of(container("c1", "llm2", "p1")),
                        List.of("remove c1 llm2: store places llm2 on e2")),
                arguments("older placement on the same engine: removed and placed again", List.of(stored("p2", "llm2", "e1")),
                        List.of(container("c1", "llm2", "p1")),
                        List.of("remove c1 llm2: container carries placement p1, store has p2", "replace llm2 p2: no container of llm2 on e1")),
                arguments("container missing: placed again", List.of(stored("p1", "llm2", "e1"), stored("p3", "notes", "e2")), List.of(),
                        List.of("replace llm2 p1: no container of llm2 on e1")),
                arguments("two copies of an unknown app: adopt one, remove one", List.of(),
                        List.of(container("c1", "llm2", "p1"), container("c2", "llm2", "p7")),
                        List.of("adopt llm2 p1 c1", "remove c2 llm2: second container of llm2 on e1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(String name, List<StoredPlacement> store, List<EngineContainer> containers, List<String> expected) {
        List<String> got = Reconciler.plan("e1", store, containers, NOW).stream().map(ReconcilerTest::describe).toList();
        assertThat(got).containsExactlyElementsOf(expected);
    }

    private static String describe(ReconcileAction a) {
        if (a instanceof ReconcileAction.Adopt ad) {
            return "adopt " + ad.placement().app() + " " + ad.placement().placementId() + " " + ad.containerId();
        }
        if (a instanceof ReconcileAction.RemoveStale r) {
            return "remove " + r.containerId() + " " + r.app() + ": " + r.reason();
        }
        ReconcileAction.Replace r = (ReconcileAction.Replace) a;
        return "replace " + r.placement().app() + " " + r.placement().placementId() + ": " + r.reason();
    }

    @org.junit.jupiter.api.Test
    void adoptionRebuildsThePlacementFromLabels() {
        var adopt = (ReconcileAction.Adopt) Reconciler.plan("e1", List.of(), List.of(container("c1", "llm2", "p1")), NOW).get(0);
        assertThat(adopt.placement().devices()).containsExactly(new DeviceClaim("GPU-a", 1), new DeviceClaim("0000:3b:00.0", 4));
        assertThat(adopt.placement().milliCores()).isEqualTo(1500);
        assertThat(adopt.placement().memoryBytes()).isEqualTo(1024);
        assertThat(adopt.placement().engineId()).isEqualTo("e1");
    }
}
