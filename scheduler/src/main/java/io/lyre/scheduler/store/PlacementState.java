package io.lyre.scheduler.store;

/** RESERVED: devices held, container not yet confirmed; BOUND: container created; LOST: its engine is lost and it could not move. */
public enum PlacementState {
    RESERVED, BOUND, LOST
}
