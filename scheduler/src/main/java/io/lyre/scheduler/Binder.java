package io.lyre.scheduler;

import io.lyre.scheduler.model.Engine;

/**
 * Turns a reserved placement into a running container (docker create + start, through the tunnel for remote
 * engines). The scheduler releases the reservation and tries the next engine when it throws.
 */
public interface Binder {

    /** Accepts every placement: for planning, explain and benchmarks. */
    Binder NONE = (placement, engine) -> { };

    void bind(Placement placement, Engine engine) throws BindException;

    /** Removes the container of a placement that moved away (drain). Best effort; the default does nothing. */
    default void unbind(String engineId, String app, String placementId) {
    }
}
