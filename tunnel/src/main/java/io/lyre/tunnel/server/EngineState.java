package io.lyre.tunnel.server;

/** Where an agent's engine stands, as the scheduler sees it. */
public enum EngineState {
    /** Connected and welcomed: takes new work. */
    READY,
    /** Connected but asked for no new work (agent is shutting down or being maintained). */
    DRAINING,
    /** Tunnel dropped; within the grace period, apps stay where they are. */
    DISCONNECTED,
    /** Silent past the grace period: its apps may be re-placed. */
    LOST
}
