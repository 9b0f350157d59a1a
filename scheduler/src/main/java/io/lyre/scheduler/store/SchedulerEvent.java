package io.lyre.scheduler.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Something the scheduler did or saw, kept for {@code lyre events} and counted for metrics.
 *
 * @param type   PLACED, REFUSED, RELEASED, MOVED, KEPT, RESCHEDULE_FAILED, ADOPTED, STALE_REMOVED, DRAINED, ...
 *               (at most 32 characters: the column's width)
 */
public record SchedulerEvent(Instant at, String type, String app, String engineId, String detail) {

    public static final String PLACED = "PLACED";
    public static final String REFUSED = "REFUSED";
    public static final String RELEASED = "RELEASED";
    public static final String MOVED = "MOVED";
    public static final String KEPT = "KEPT";
    public static final String RESCHEDULE_FAILED = "RESCHEDULE_FAILED";
    public static final String ADOPTED = "ADOPTED";
    public static final String DRAINED = "DRAINED";
    public static final String DRAIN_FAILED = "DRAIN_FAILED";

    public SchedulerEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        detail = detail == null ? "" : detail;
    }

    public static SchedulerEvent of(Instant at, String type, String app, String engineId, String detail) {
        return new SchedulerEvent(at, type, app, engineId, detail);
    }
}
