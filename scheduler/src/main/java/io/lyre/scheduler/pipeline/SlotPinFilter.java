package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.Requirement;

/** HaRP's meaning of ports 24001-24099: the app goes to the engine holding that slot, or nowhere. */
public final class SlotPinFilter implements EngineFilter {

    @Override
    public String name() {
        return "slot";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        if (requirement.slot().isEmpty() || requirement.slot().getAsInt() == candidate.engine().slot()) {
            return FilterVerdict.PASS;
        }
        int pinned = requirement.slot().getAsInt();
        return FilterVerdict.refuse(() -> "app is pinned to slot " + pinned + "; engine holds slot " + candidate.engine().slot());
    }
}
