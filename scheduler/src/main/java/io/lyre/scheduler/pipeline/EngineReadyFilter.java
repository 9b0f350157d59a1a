package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;

/** Only READY engines take new apps: DRAINING ones are being emptied, LOST ones cannot be reached. */
public final class EngineReadyFilter implements EngineFilter {

    @Override
    public String name() {
        return "ready";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        EngineState state = candidate.engine().state();
        return state == EngineState.READY ? FilterVerdict.PASS : FilterVerdict.refuse(() -> "engine is " + state);
    }
}
