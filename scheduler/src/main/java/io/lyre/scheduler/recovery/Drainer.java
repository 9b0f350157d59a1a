package io.lyre.scheduler.recovery;

import io.lyre.scheduler.PlacementOutcome;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.policy.PolicyHash;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.PlacementStore;
import io.lyre.scheduler.store.SchedulerEvent;
import io.lyre.scheduler.store.StoredPlacement;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code lyre drain <engine>}: moves every app off an engine, make-before-break: the new container is bound on
 * another engine before the old one is removed, so the app is never without a copy. The drained engine is
 * treated as DRAINING whatever the snapshot says, so nothing lands back on it. Apps that find no room stay.
 */
public final class Drainer {

    private final Scheduler scheduler;
    private final PlacementStore store;
    private final Function<String, Optional<Requirement>> requirements;
    private final Clock clock;

    public Drainer(Scheduler scheduler, PlacementStore store, Function<String, Optional<Requirement>> requirements, Clock clock) {
        this.scheduler = scheduler;
        this.store = store;
        this.requirements = requirements;
        this.clock = clock;
    }

    /** One app's move: to where, or why it stayed. */
    public record Move(String app, String from, String to, String problem) {
        public boolean moved() {
            return to != null;
        }
    }

    public List<Move> drain(String engineId, Collection<Engine> engines) {
        List<Engine> view = new ArrayList<>();
        for (Engine e : engines) {
            view.add(e.id().equals(engineId) && e.state() == EngineState.READY ? e.withState(EngineState.DRAINING) : e);
        }
        List<Engine> snapshot = List.copyOf(view);
        List<Move> moves = new ArrayList<>();
        for (StoredPlacement old : store.onEngine(engineId)) {
            var now = clock.instant();
            Optional<Requirement> r = requirements.apply(old.app());
            if (r.isEmpty()) {
                moves.add(new Move(old.app(), engineId, null, "no requirement known"));
                store.append(SchedulerEvent.of(now, SchedulerEvent.DRAIN_FAILED, old.app(), engineId, "no requirement known"));
                continue;
            }
            PlacementOutcome outcome = scheduler.schedule(r.get(), PolicyHash.of(r.get()), snapshot);
            if (!outcome.isPlaced()) {
                String why = String.join("; ", outcome.reasons());
                moves.add(new Move(old.app(), engineId, null, why));
                store.append(SchedulerEvent.of(now, SchedulerEvent.DRAIN_FAILED, old.app(), engineId, why));
                continue;
            }
            var p = outcome.placement();
            store.replace(old.placementId(), StoredPlacement.of(p, PlacementState.BOUND, now),
                    SchedulerEvent.of(now, SchedulerEvent.DRAINED, old.app(), p.engineId(), "drained off " + engineId));
            scheduler.binder().unbind(engineId, old.app(), old.placementId());
            scheduler.ledger().release(old.placementId());
            moves.add(new Move(old.app(), engineId, p.engineId(), null));
        }
        return moves;
    }
}
