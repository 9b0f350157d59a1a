package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;

/**
 * Kubernetes' LeastAllocated for CPU and memory: the share of cores and memory left free after placing, averaged.
 * CPU and memory are not scarce in the way devices are, so spreading them keeps noisy neighbours apart.
 */
public final class SpreadScorer implements EngineScorer {

    @Override
    public String name() {
        return "spread";
    }

    @Override
    public int score(Requirement requirement, Candidate candidate) {
        Engine e = candidate.engine();
        double cores = freeShare(e.allocatableMilliCores(), candidate.usage().milliCores() + requirement.milliCores());
        double memory = freeShare(e.allocatableMemoryBytes(), candidate.usage().memoryBytes() + requirement.memoryBytes());
        return EngineScorer.clamp(50 * (cores + memory));
    }

    private static double freeShare(long allocatable, long usedAfter) {
        return allocatable <= 0 ? 0 : Math.max(0, (double) (allocatable - usedAfter) / allocatable);
    }
}
