package io.lyre.scheduler.recovery;

import io.lyre.scheduler.store.StoredPlacement;

/** One step that brings the store and an engine back into agreement. */
public sealed interface ReconcileAction {

    /** The engine runs a Lyre container the store does not know: record it (the store was lost or restored). */
    record Adopt(StoredPlacement placement, String containerId) implements ReconcileAction {
    }

    /** The engine runs a copy of an app that the store places elsewhere (or under another placement): remove it. */
    record RemoveStale(String containerId, String app, String reason) implements ReconcileAction {
    }

    /** The store places the app on this engine but the container is gone: place it again. */
    record Replace(StoredPlacement placement, String reason) implements ReconcileAction {
    }
}
