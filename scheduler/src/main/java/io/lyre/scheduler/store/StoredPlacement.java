package io.lyre.scheduler.store;

import io.lyre.scheduler.Placement;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.ledger.Reservation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** A placement as the store keeps it: engine and device ids, not the device facts (those come from the agent). */
public record StoredPlacement(String placementId, String app, String engineId, List<DeviceClaim> devices,
                             long milliCores, long memoryBytes, String policyHash, PlacementState state,
                             Instant createdAt, Instant updatedAt) {

    public StoredPlacement {
        Objects.requireNonNull(placementId, "placementId");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(engineId, "engineId");
        devices = List.copyOf(devices);
        policyHash = policyHash == null ? "" : policyHash;
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        updatedAt = updatedAt == null ? createdAt : updatedAt;
    }

    public static StoredPlacement of(Placement p, PlacementState state, Instant now) {
        return new StoredPlacement(p.placementId(), p.app(), p.engineId(), p.claims(), p.milliCores(), p.memoryBytes(),
                p.policyHash(), state, now, now);
    }

    public StoredPlacement withState(PlacementState s, Instant now) {
        return new StoredPlacement(placementId, app, engineId, devices, milliCores, memoryBytes, policyHash, s, createdAt, now);
    }

    public List<String> deviceIds() {
        return devices.stream().map(DeviceClaim::deviceId).toList();
    }

    public Reservation reservation() {
        return new Reservation(placementId, app, engineId, milliCores, memoryBytes, devices);
    }
}
