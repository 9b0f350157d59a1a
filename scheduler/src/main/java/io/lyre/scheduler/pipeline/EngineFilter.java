package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.Requirement;

/** A hard check of one engine for one requirement (Kubernetes' Filter, Nomad's feasibility iterator). */
public interface EngineFilter {

    /** Short name shown by explain ("ready", "devices"). */
    String name();

    FilterVerdict test(Requirement requirement, Candidate candidate);
}
