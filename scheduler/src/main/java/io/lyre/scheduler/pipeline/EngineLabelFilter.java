package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.constraint.FactValue;
import io.lyre.scheduler.model.Requirement;

import java.util.List;

/** Engine label constraints ("zone = basement", "tier in (gpu, mixed)") against the labels the agent reports. */
public final class EngineLabelFilter implements EngineFilter {

    @Override
    public String name() {
        return "labels";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        List<Constraint> constraints = requirement.engineLabels();
        for (int i = 0; i < constraints.size(); i++) {
            Constraint c = constraints.get(i);
            FactValue label = candidate.engine().labelFact(c.field());
            if (!c.test(label)) {
                return FilterVerdict.refuse(() -> "label constraint '" + c.source() + "' not met ("
                        + (label == null ? c.field() + " unset" : c.field() + "=" + label.text()) + ")");
            }
        }
        return FilterVerdict.PASS;
    }
}
