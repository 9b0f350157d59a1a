package io.lyre.scheduler.recovery;

import io.lyre.scheduler.PlacementOutcome;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.policy.PolicyHash;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.PlacementStore;
import io.lyre.scheduler.store.SchedulerEvent;
import io.lyre.scheduler.store.StoredPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Moves apps off an engine that has been lost for longer than its grace period, where their policy allows
 * ({@code reschedule}, true by default) and devices fit elsewhere. Apps that may not move, or find no room, stay
 * recorded on the lost engine as LOST and are tried again on the next call. Every outcome is an event and a count.
 * When the engine comes back, {@link Reconciler} removes its stale copies.
 */
public final class Rescheduler {

    private static final Logger LOG = LoggerFactory.getLogger(Rescheduler.class);

    private final Scheduler scheduler;
    private final PlacementStore store;
    private final Function<String, Optional<Requirement>> requirements;
    private final Duration grace;
    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param requirements the current requirement of an app (policy over the deploy request it was installed with)
     * @param grace        how long an engine may be silent before its apps move
     */
    public Rescheduler(Scheduler scheduler, PlacementStore store, Function<String, Optional<Requirement>> requirements,
                       Duration grace) {
        this.scheduler = scheduler;
        this.store = store;
        this.requirements = requirements;
        this.grace = grace;
    }

    /** What one call did, app by app. */
    public record Report(List<String> moved, List<String> kept, List<String> failed, boolean withinGrace) {
    }

    /** Counters since start, for metrics: moved, kept (policy says stay), failed (no room). */
    public record Counts(long moved, long kept, long failed) {
    }

    public Counts counts() {
        return new Counts(moved.get(), kept.get(), failed.get());
    }

    public Report onEngineLost(String engineId, Instant lostSince, Instant now, Collection<Engine> engines) {
        if (now.isBefore(lostSince.plus(grace))) {
            return new Report(List.of(), List.of(), List.of(), true);
        }
        List<String> movedApps = new ArrayList<>();
        List<String> keptApps = new ArrayList<>();
        List<String> failedApps = new ArrayList<>();
        for (StoredPlacement old : store.onEngine(engineId)) {
            Optional<Requirement> r = requirements.apply(old.app());
            if (r.isEmpty() || !r.get().reschedule()) {
                keptApps.add(old.app());
                kept.incrementAndGet();
                if (old.state() != PlacementState.LOST) {
                    store.save(old.withState(PlacementState.LOST, now), SchedulerEvent.of(now, SchedulerEvent.KEPT, old.app(),
                            engineId, r.isEmpty() ? "no requirement known" : "policy says reschedule: false"));
                }
                continue;
            }
            PlacementOutcome outcome = scheduler.schedule(r.get(), PolicyHash.of(r.get()), engines);
            if (outcome.isPlaced()) {
                var p = outcome.placement();
                store.replace(old.placementId(), StoredPlacement.of(p, PlacementState.BOUND, now),
                        SchedulerEvent.of(now, SchedulerEvent.MOVED, old.app(), p.engineId(),
                                "engine " + engineId + " lost since " + lostSince + "; moved to " + p.engineId() + " " + p.deviceIds()));
                scheduler.ledger().release(old.placementId());
                movedApps.add(old.app());
                moved.incrementAndGet();
                LOG.info("moved {} off lost engine {} to {}", old.app(), engineId, p.engineId());
            } else {
                failedApps.add(old.app());
                failed.incrementAndGet();
                store.save(old.withState(PlacementState.LOST, now), SchedulerEvent.of(now, SchedulerEvent.RESCHEDULE_FAILED,
                        old.app(), engineId, String.join("; ", outcome.reasons())));
                LOG.warn("could not move {} off lost engine {}: {}", old.app(), engineId, outcome.summary());
            }
        }
        return new Report(movedApps, keptApps, failedApps, false);
    }
}
