package io.lyre.proxy.sched;

import java.time.Duration;

/** What the scheduler reports for metrics (lyre_placements_total, lyre_scheduling_seconds). */
public interface SchedulingMetrics {
    SchedulingMetrics NONE = new SchedulingMetrics() {
    };

    default void scheduled(Duration took) {
    }

    /** result "placed" or "failed"; reason a short fixed word ("placed", "no_fit", "bind", "moved", "move"). */
    default void placed(String result, String reason) {
    }
}
