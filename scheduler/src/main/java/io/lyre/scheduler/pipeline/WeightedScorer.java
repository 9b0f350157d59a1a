package io.lyre.scheduler.pipeline;

/** A scorer and how much it counts in the total (Kubernetes' plugin weight). */
public record WeightedScorer(EngineScorer scorer, int weight) {
}
