package io.lyre.scheduler.model;

import io.lyre.devices.HostInventory;
import io.lyre.scheduler.constraint.FactValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of one Docker engine as the scheduler sees it. The proxy builds a new snapshot whenever
 * an agent reports; the scheduler never mutates one. It is a class rather than a record because it carries
 * derived, parsed views (device facts, label facts) computed once per snapshot.
 */
public final class Engine {

    public static final int FIRST_SLOT = 24001;
    public static final int LAST_SLOT = 24099;

    private final String id;
    private final int slot;
    private final Map<String, String> labels;
    private final EngineState state;
    private final HostInventory inventory;
    private final long allocatableMilliCores;
    private final long allocatableMemoryBytes;
    private final List<SchedulableDevice> devices;
    private final Map<String, SchedulableDevice> devicesById;
    private final Map<String, FactValue> labelFacts;
    private final int scarceDevices;

    public Engine(String id, int slot, Map<String, String> labels, EngineState state, HostInventory inventory,
                  long allocatableMilliCores, long allocatableMemoryBytes) {
        this.id = Objects.requireNonNull(id, "id");
        if (slot < FIRST_SLOT || slot > LAST_SLOT) {
            throw new IllegalArgumentException("slot " + slot + " is outside " + FIRST_SLOT + "-" + LAST_SLOT);
        }
        this.slot = slot;
        this.labels = Map.copyOf(labels == null ? Map.of() : labels);
        this.state = Objects.requireNonNull(state, "state");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.allocatableMilliCores = allocatableMilliCores;
        this.allocatableMemoryBytes = allocatableMemoryBytes;
        List<SchedulableDevice> d = new ArrayList<>();
        Map<String, SchedulableDevice> byId = new HashMap<>();
        int scarce = 0;
        for (var device : inventory.devices()) {
            SchedulableDevice s = new SchedulableDevice(device);
            d.add(s);
            byId.put(device.id(), s);
            if (s.scarce() && s.schedulable()) {
                scarce++;
            }
        }
        this.devices = List.copyOf(d);
        this.devicesById = Map.copyOf(byId);
        this.scarceDevices = scarce;
        Map<String, FactValue> lf = new HashMap<>();
        this.labels.forEach((k, v) -> lf.put(k, FactValue.of(v)));
        this.labelFacts = Map.copyOf(lf);
    }

    /** Allocatable resources default to the host's threads and memory when the agent does not say. */
    public static Engine of(String id, int slot, Map<String, String> labels, EngineState state, HostInventory inventory) {
        return new Engine(id, slot, labels, state, inventory, inventory.host().threads() * 1000L, inventory.host().memoryBytes());
    }

    /** The same engine in another state (an agent went silent, an admin drains it). */
    public Engine withState(EngineState newState) {
        return new Engine(id, slot, labels, newState, inventory, allocatableMilliCores, allocatableMemoryBytes);
    }

    public String id() {
        return id;
    }

    public int slot() {
        return slot;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public FactValue labelFact(String key) {
        return labelFacts.get(key);
    }

    public EngineState state() {
        return state;
    }

    public HostInventory inventory() {
        return inventory;
    }

    public long allocatableMilliCores() {
        return allocatableMilliCores;
    }

    public long allocatableMemoryBytes() {
        return allocatableMemoryBytes;
    }

    public List<SchedulableDevice> devices() {
        return devices;
    }

    public SchedulableDevice device(String deviceId) {
        return devicesById.get(deviceId);
    }

    /** Healthy GPUs, FPGAs and accelerators. */
    public int scarceDevices() {
        return scarceDevices;
    }

    @Override
    public String toString() {
        return id + "@" + slot + "(" + state + ")";
    }
}
