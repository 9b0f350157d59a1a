package io.lyre.scheduler.model;

import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.constraint.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What one app needs, after AppAPI's defaults and the app's policy are merged.
 *
 * @param app          the ExApp id
 * @param milliCores   CPU in thousandths of a core (AppAPI's nanoCPUs / 1e6); 0 = no limit asked
 * @param memoryBytes  memory; 0 = no limit asked
 * @param devices      device asks, all served by one engine
 * @param engineLabels constraints over the engine's labels ("zone = basement")
 * @param slot         pins the app to the engine holding this slot (24001-24099), as HaRP's port does
 * @param reschedule   whether the app may be placed again elsewhere when its engine is lost
 */
public record Requirement(String app, long milliCores, long memoryBytes, List<DeviceAsk> devices,
                          List<Constraint> engineLabels, OptionalInt slot, boolean reschedule) {

    public Requirement {
        Objects.requireNonNull(app, "app");
        devices = List.copyOf(devices == null ? List.of() : devices);
        engineLabels = List.copyOf(engineLabels == null ? List.of() : engineLabels);
        slot = slot == null ? OptionalInt.empty() : slot;
    }

    public static Requirement cpuOnly(String app, long milliCores, long memoryBytes) {
        return new Requirement(app, milliCores, memoryBytes, List.of(), List.of(), OptionalInt.empty(), true);
    }

    public Requirement withDevices(DeviceAsk... asks) {
        return new Requirement(app, milliCores, memoryBytes, List.of(asks), engineLabels, slot, reschedule);
    }

    public Requirement withSlot(int s) {
        return new Requirement(app, milliCores, memoryBytes, devices, engineLabels, OptionalInt.of(s), reschedule);
    }

    public Requirement withEngineLabels(String... constraints) {
        List<Constraint> c = new ArrayList<>();
        for (String text : constraints) {
            c.add(Constraint.parse(text));
        }
        return new Requirement(app, milliCores, memoryBytes, devices, c, slot, reschedule);
    }

    public Requirement withApp(String newApp) {
        return new Requirement(newApp, milliCores, memoryBytes, devices, engineLabels, slot, reschedule);
    }

    public int deviceCount() {
        int n = 0;
        for (DeviceAsk a : devices) {
            n += a.count();
        }
        return n;
    }

    /** "1 NVIDIA GPU (memory >= 20 GiB); 2 cores; 8 GiB". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        devices.forEach(d -> parts.add(d.describe()));
        if (devices.isEmpty()) {
            parts.add("no devices");
        }
        parts.add(Quantity.cores(milliCores) + " cores");
        parts.add(Quantity.human(memoryBytes));
        engineLabels.forEach(c -> parts.add("label " + c.source()));
        slot.ifPresent(s -> parts.add("slot " + s));
        return String.join("; ", parts);
    }
}
