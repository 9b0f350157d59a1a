package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.constraint.Quantity;
import io.lyre.scheduler.model.Requirement;

/** Free memory (allocatable minus reserved) must cover the app's memory limit. */
public final class MemoryFilter implements EngineFilter {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        long need = requirement.memoryBytes();
        long free = candidate.engine().allocatableMemoryBytes() - candidate.usage().memoryBytes();
        if (need <= free) {
            return FilterVerdict.PASS;
        }
        return FilterVerdict.refuse(() -> "needs " + Quantity.human(need) + " memory, " + Quantity.human(Math.max(0, free))
                + " of " + Quantity.human(candidate.engine().allocatableMemoryBytes()) + " free");
    }
}
