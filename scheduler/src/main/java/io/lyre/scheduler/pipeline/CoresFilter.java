package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.constraint.Quantity;
import io.lyre.scheduler.model.Requirement;

/** Free CPU (allocatable minus reserved) must cover the app's cores. An app that asks no cores always fits. */
public final class CoresFilter implements EngineFilter {

    @Override
    public String name() {
        return "cores";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        long need = requirement.milliCores();
        long free = candidate.engine().allocatableMilliCores() - candidate.usage().milliCores();
        if (need <= free) {
            return FilterVerdict.PASS;
        }
        return FilterVerdict.refuse(() -> "needs " + Quantity.cores(need) + " cores, " + Quantity.cores(Math.max(0, free))
                + " of " + Quantity.cores(candidate.engine().allocatableMilliCores()) + " free");
    }
}
