package io.lyre.scheduler.model;

import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.devices.Health;
import io.lyre.scheduler.constraint.FactValue;
import io.lyre.scheduler.constraint.VendorAliases;

import java.util.HashMap;
import java.util.Map;

/**
 * A device as the scheduler reads it: the probe's {@link Device} plus its facts parsed once (sizes, versions,
 * the canonical vendor key), so constraints in the hot loop compare numbers instead of parsing strings.
 */
public final class SchedulableDevice {

    private final Device device;
    private final Map<String, FactValue> facts;
    private final String vendorKey;
    private final int numa;

    public SchedulableDevice(Device device) {
        this.device = device;
        this.vendorKey = VendorAliases.key(device.vendor());
        Map<String, FactValue> f = new HashMap<>();
        device.attributes().forEach((k, v) -> f.put(k, FactValue.of(v)));
        // Built-in fields win over attributes of the same name: they are what the policy docs describe.
        if (device.memoryBytes() > 0) {
            f.put("memory", FactValue.ofNumber(device.memoryBytes()));
        }
        if (device.computeUnits() > 0) {
            f.put("compute_units", FactValue.ofNumber(device.computeUnits()));
        }
        if (!device.model().isEmpty()) {
            f.put("model", FactValue.ofText(device.model()));
        }
        f.put("vendor", FactValue.ofText(vendorKey));
        f.put("kind", FactValue.ofText(device.kind().name()));
        f.put("id", FactValue.ofText(device.id()));
        this.facts = Map.copyOf(f);
        int n = -1;
        try {
            n = Integer.parseInt(device.attributes().getOrDefault(Device.ATTR_NUMA, "-1").trim());
        } catch (NumberFormatException ignored) {
            // an unreadable NUMA node is treated as unknown
        }
        this.numa = n;
    }

    public Device device() {
        return device;
    }

    public String id() {
        return device.id();
    }

    public DeviceKind kind() {
        return device.kind();
    }

    /** Canonical vendor key ("nvidia", "amd", "xilinx", "intel"). */
    public String vendorKey() {
        return vendorKey;
    }

    /** The fact a constraint names, or null when the device does not have it. */
    public FactValue fact(String field) {
        return facts.get(field);
    }

    /** NUMA node, -1 when unknown. */
    public int numa() {
        return numa;
    }

    public long memoryBytes() {
        return device.memoryBytes();
    }

    /** UNHEALTHY devices are never scheduled; UNKNOWN ones are, because several probes cannot tell health at all. */
    public boolean schedulable() {
        return device.health() != Health.UNHEALTHY;
    }

    /** GPUs, FPGAs and accelerators are the scarce devices that bin-packing keeps whole; CPUs are counted as cores. */
    public boolean scarce() {
        return device.kind() != DeviceKind.CPU;
    }

    @Override
    public String toString() {
        return device.id() + " (" + device.vendor() + " " + device.model() + ")";
    }
}
