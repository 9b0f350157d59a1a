package io.lyre.scheduler;

import io.lyre.devices.Device;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.ledger.Reservation;

import java.util.List;
import java.util.Objects;

/**
 * Where one app runs: the engine and the concrete devices, with the limits to bind.
 *
 * @param placementId  unique id, recorded in the container's labels and the store
 * @param app          the ExApp id
 * @param engineId     the engine
 * @param slot         the engine's slot (24001-24099)
 * @param devices      the chosen devices, in ask order
 * @param claims       the same devices with their sharing limits, as the ledger holds them
 * @param milliCores   CPU limit, thousandths of a core (0 = none)
 * @param memoryBytes  memory limit (0 = none)
 * @param policyHash   hash of the effective requirement, to tell when a placement is out of date
 */
public record Placement(String placementId, String app, String engineId, int slot, List<Device> devices,
                        List<DeviceClaim> claims, long milliCores, long memoryBytes, String policyHash) {

    public Placement {
        Objects.requireNonNull(placementId, "placementId");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(engineId, "engineId");
        devices = List.copyOf(devices);
        claims = List.copyOf(claims);
        policyHash = policyHash == null ? "" : policyHash;
    }

    public List<String> deviceIds() {
        return devices.stream().map(Device::id).toList();
    }

    public Reservation reservation() {
        return new Reservation(placementId, app, engineId, milliCores, memoryBytes, claims);
    }

    @Override
    public String toString() {
        return app + " -> " + engineId + (devices.isEmpty() ? "" : " " + deviceIds());
    }
}
