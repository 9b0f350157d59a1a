package io.lyre.scheduler.model;

/** An engine's standing: only READY engines take new apps; DRAINING ones keep theirs until moved; LOST ones are silent. */
public enum EngineState {
    READY, DRAINING, LOST
}
