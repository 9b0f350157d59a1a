package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.Requirement;

/** Ranks an engine that passed every filter, from 0 (worst) to 100 (best); weights are applied by the scheduler. */
public interface EngineScorer {

    int MAX = 100;

    String name();

    int score(Requirement requirement, Candidate candidate);

    static int clamp(double score) {
        return (int) Math.max(0, Math.min(MAX, Math.round(score)));
    }
}
