package io.lyre.scheduler.ledger;

import java.util.List;
import java.util.Objects;

/** What one placement holds on one engine: cores, memory and concrete devices. */
public record Reservation(String placementId, String app, String engineId, long milliCores, long memoryBytes,
                          List<DeviceClaim> devices) {

    public Reservation {
        Objects.requireNonNull(placementId, "placementId");
        Objects.requireNonNull(engineId, "engineId");
        devices = List.copyOf(devices);
    }
}
