package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.ledger.EngineUsage;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.List;

/**
 * One engine under consideration for one requirement: the engine, its usage as read at the start, and the
 * devices the device filter chose (Kubernetes' CycleState, narrowed to what the plugins here share).
 */
public final class Candidate {

    private final Engine engine;
    private final EngineUsage usage;
    private final ClusterFacts cluster;
    private List<List<SchedulableDevice>> chosen = List.of();

    public Candidate(Engine engine, EngineUsage usage, ClusterFacts cluster) {
        this.engine = engine;
        this.usage = usage;
        this.cluster = cluster;
    }

    public Engine engine() {
        return engine;
    }

    public EngineUsage usage() {
        return usage;
    }

    public ClusterFacts cluster() {
        return cluster;
    }

    /** The devices chosen for each device ask, in ask order; empty until the device filter passed. */
    public List<List<SchedulableDevice>> chosen() {
        return chosen;
    }

    public void choose(List<List<SchedulableDevice>> devices) {
        this.chosen = devices;
    }
}
