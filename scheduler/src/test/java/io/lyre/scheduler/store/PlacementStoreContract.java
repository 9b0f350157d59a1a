package io.lyre.scheduler.store;

import io.lyre.scheduler.ledger.DeviceClaim;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviour every {@link PlacementStore} must have; run against H2 always and PostgreSQL when configured. */
abstract class PlacementStoreContract {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    PlacementStore store;

    abstract PlacementStore open() throws Exception;

    /** Empties the tables so the suite can share one database (PostgreSQL). */
    abstract void wipe() throws Exception;

    @BeforeEach
    void start() throws Exception {
        store = open();
        wipe();
    }

    @AfterEach
    void stop() {
        store.close();
    }

    static StoredPlacement placement(String id, String app, String engine, String... devices) {
        return new StoredPlacement(id, app, engine,
                java.util.Arrays.stream(devices).map(d -> new DeviceClaim(d, d.startsWith("shared") ? 4 : 1)).toList(),
                1500, 8L << 30, "hash-" + id, PlacementState.BOUND, T0, T0);
    }

    static SchedulerEvent event(String type, String app) {
        return SchedulerEvent.of(T0, type, app, "e1", "detail of " + app);
    }

    @Test
    void savesReadsUpdatesAndRemoves() {
        StoredPlacement p = placement("p1", "llm2", "e1", "GPU-aaaa", "0000:3b:00.0", "shared-x");
        store.save(p, event(SchedulerEvent.PLACED, "llm2"));
        store.save(placement("p2", "notes", "e2"));
        assertThat(store.byId("p1")).hasValue(p);
        assertThat(store.byApp("llm2")).hasValue(p);
        assertThat(store.onEngine("e1")).containsExactly(p);
        assertThat(store.all()).extracting(StoredPlacement::app).containsExactly("llm2", "notes");

        StoredPlacement lost = p.withState(PlacementState.LOST, T0.plus(5, ChronoUnit.MINUTES));
        store.save(lost);
        assertThat(store.byId("p1")).hasValue(lost);

        assertThat(store.remove("p1", event(SchedulerEvent.RELEASED, "llm2"))).isTrue();
        assertThat(store.remove("p1")).isFalse();
        assertThat(store.byApp("llm2")).isEmpty();
        assertThat(store.events(10)).extracting(SchedulerEvent::type).containsExactly(SchedulerEvent.RELEASED, SchedulerEvent.PLACED);
    }

    @Test
    void replaceMovesAnAppAtomically() {
        store.save(placement("p1", "llm2", "e1", "GPU-a"));
        store.replace("p1", placement("p9", "llm2", "e2", "GPU-b"), event(SchedulerEvent.MOVED, "llm2"));
        assertThat(store.byApp("llm2")).hasValueSatisfying(p -> {
            assertThat(p.placementId()).isEqualTo("p9");
            assertThat(p.deviceIds()).containsExactly("GPU-b");
        });
        assertThat(store.byId("p1")).isEmpty();
    }

    @Test
    void failingWriteLeavesNothingHalfWritten() {
        // The event's type is wider than its column: the placement written before it in the same transaction must vanish.
        SchedulerEvent tooWide = SchedulerEvent.of(T0, "X".repeat(40), "llm2", "e1", "");
        assertThatThrownBy(() -> store.save(placement("p1", "llm2", "e1", "GPU-a"), event(SchedulerEvent.PLACED, "llm2"), tooWide))
                .isInstanceOf(StoreException.class).hasMessageContaining("save placement of llm2 failed");
        assertThat(store.byId("p1")).isEmpty();
        assertThat(store.events(10)).isEmpty();

        store.save(placement("p1", "llm2", "e1", "GPU-a"));
        // A second placement for the same app violates one-per-app: the move must not delete the old one either.
        store.save(placement("p2", "other", "e1"));
        assertThatThrownBy(() -> store.replace("p2", placement("p3", "llm2", "e3"), event(SchedulerEvent.MOVED, "llm2")))
                .isInstanceOf(StoreException.class);
        assertThat(store.all()).extracting(StoredPlacement::placementId).containsExactly("p1", "p2");
        assertThat(store.events(10)).isEmpty();
    }

    @Test
    void policiesPersist() {
        store.savePolicy("llm2", "{\"app\":\"llm2\"}", "h1");
        store.savePolicy("llm2", "{\"app\":\"llm2\",\"cores\":2.0}", "h2");
        store.savePolicy("notes", "{\"app\":\"notes\"}", "h3");
        assertThat(store.loadPolicies()).containsExactly(
                java.util.Map.entry("llm2", "{\"app\":\"llm2\",\"cores\":2.0}"), java.util.Map.entry("notes", "{\"app\":\"notes\"}"));
        assertThat(store.deletePolicy("llm2")).isTrue();
        assertThat(store.deletePolicy("llm2")).isFalse();
        assertThat(store.loadPolicies()).containsOnlyKeys("notes");
    }

    @Test
    void createRequestsPersistAndAreReplacedAndForgotten() {
        String big = "{\"name\":\"llm2\",\"environment_variables\":[\"" + "X=".repeat(20_000) + "\"]}";
        store.saveCreateRequest("llm2", "{\"name\":\"llm2\"}");
        store.saveCreateRequest("llm2", big);
        assertThat(store.createRequest("llm2")).contains(big);
        assertThat(store.createRequest("other")).isEmpty();
        assertThat(store.deleteCreateRequest("llm2")).isTrue();
        assertThat(store.deleteCreateRequest("llm2")).isFalse();
        assertThat(store.createRequest("llm2")).isEmpty();
    }

    @Test
    void eventsAreNewestFirstAndLimited() {
        for (int i = 0; i < 5; i++) {
            store.append(SchedulerEvent.of(T0.plusSeconds(i), SchedulerEvent.PLACED, "app" + i, "e1", "d".repeat(5000)));
        }
        List<SchedulerEvent> last = store.events(2);
        assertThat(last).extracting(SchedulerEvent::app).containsExactly("app4", "app3");
        assertThat(last.get(0).at()).isEqualTo(T0.plusSeconds(4));
        assertThat(last.get(0).detail()).hasSize(4000).endsWith("...");
    }
}
