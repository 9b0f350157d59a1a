package io.lyre.scheduler.ledger;

import io.lyre.scheduler.model.Engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory record of what every placement holds. Reads are lock-free (per-engine immutable
 * {@link EngineUsage} values); {@link #tryReserve} and {@link #release} are serialised so that two schedulers
 * that chose the same free GPU cannot both get it: the second one's re-check fails and it moves on.
 */
public final class AllocationLedger {

    private final Map<String, EngineUsage> usage = new ConcurrentHashMap<>();
    private final Map<String, Reservation> reservations = new ConcurrentHashMap<>();

    public EngineUsage usage(String engineId) {
        return usage.getOrDefault(engineId, EngineUsage.EMPTY);
    }

    /**
     * Takes the reservation if it still fits the engine (cores, memory, each device's sharing); returns the reason
     * it does not otherwise. A placement id already held is refused, so a retried call cannot double-book.
     */
    public synchronized Optional<String> tryReserve(Reservation r, Engine engine) {
        if (reservations.containsKey(r.placementId())) {
            return Optional.of("placement " + r.placementId() + " is already reserved");
        }
        EngineUsage now = usage(r.engineId());
        if (r.milliCores() > 0 && now.milliCores() + r.milliCores() > engine.allocatableMilliCores()) {
            return Optional.of("cores were taken meanwhile");
        }
        if (r.memoryBytes() > 0 && now.memoryBytes() + r.memoryBytes() > engine.allocatableMemoryBytes()) {
            return Optional.of("memory was taken meanwhile");
        }
        for (DeviceClaim c : r.devices()) {
            if (engine.device(c.deviceId()) == null) {
                return Optional.of("device " + c.deviceId() + " is not on engine " + engine.id());
            }
            if (!now.device(c.deviceId()).admits(c.maxApps())) {
                return Optional.of("device " + c.deviceId() + " was taken meanwhile");
            }
        }
        usage.put(r.engineId(), now.plus(r));
        reservations.put(r.placementId(), r);
        return Optional.empty();
    }

    /**
     * Records a reservation without checking capacity: for adopting what already runs on an engine (reconcile,
     * restart), where refusing would not stop the container and would only make the ledger lie.
     */
    public synchronized void adopt(Reservation r) {
        if (reservations.putIfAbsent(r.placementId(), r) == null) {
            usage.put(r.engineId(), usage(r.engineId()).plus(r));
        }
    }

    /** Gives back what the placement held; false when it held nothing. Idempotent, as Kubernetes' Unreserve. */
    public synchronized boolean release(String placementId) {
        Reservation r = reservations.remove(placementId);
        if (r == null) {
            return false;
        }
        EngineUsage next = usage(r.engineId()).minus(r);
        usage.put(r.engineId(), next);
        return true;
    }

    public Optional<Reservation> reservation(String placementId) {
        return Optional.ofNullable(reservations.get(placementId));
    }

    public List<Reservation> onEngine(String engineId) {
        List<Reservation> out = new ArrayList<>();
        for (Reservation r : reservations.values()) {
            if (r.engineId().equals(engineId)) {
                out.add(r);
            }
        }
        return out;
    }

    public Collection<Reservation> all() {
        return List.copyOf(reservations.values());
    }

    /** Forgets everything (tests and benchmarks start each run from an empty cluster). */
    public synchronized void clear() {
        usage.clear();
        reservations.clear();
    }
}
