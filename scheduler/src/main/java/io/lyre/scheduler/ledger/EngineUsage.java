package io.lyre.scheduler.ledger;

import java.util.HashMap;
import java.util.Map;

/**
 * What is allocated on one engine, as an immutable value: the ledger swaps in a new one on every change, so
 * filters read a consistent view without taking a lock.
 */
public record EngineUsage(long milliCores, long memoryBytes, Map<String, DeviceUse> devices) {

    public static final EngineUsage EMPTY = new EngineUsage(0, 0, Map.of());

    public DeviceUse device(String deviceId) {
        return devices.getOrDefault(deviceId, DeviceUse.FREE);
    }

    /** Devices held by at least one app. */
    public int devicesInUse() {
        return devices.size();
    }

    EngineUsage plus(Reservation r) {
        Map<String, DeviceUse> next = new HashMap<>(devices);
        for (DeviceClaim c : r.devices()) {
            next.put(c.deviceId(), next.getOrDefault(c.deviceId(), DeviceUse.FREE).plus(c.maxApps()));
        }
        return new EngineUsage(milliCores + r.milliCores(), memoryBytes + r.memoryBytes(), Map.copyOf(next));
    }

    EngineUsage minus(Reservation r) {
        Map<String, DeviceUse> next = new HashMap<>(devices);
        for (DeviceClaim c : r.devices()) {
            DeviceUse u = next.getOrDefault(c.deviceId(), DeviceUse.FREE).minus(c.maxApps());
            if (u.apps() == 0) {
                next.remove(c.deviceId());
            } else {
                next.put(c.deviceId(), u);
            }
        }
        return new EngineUsage(milliCores - r.milliCores(), memoryBytes - r.memoryBytes(), Map.copyOf(next));
    }
}
