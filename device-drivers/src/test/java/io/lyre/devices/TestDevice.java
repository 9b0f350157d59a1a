package io.lyre.devices;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Builds devices as one probe would report them, for merger and scan tests. */
final class TestDevice {

    private final String id;
    private DeviceKind kind = DeviceKind.GPU;
    private String vendor = "";
    private String model = "";
    private long memory;
    private int computeUnits;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private Health health = Health.UNKNOWN;
    private String reason = "";
    private String source = "test";

    private TestDevice(String id) {
        this.id = id;
    }

    static TestDevice device(String id) {
        return new TestDevice(id);
    }

    TestDevice kind(DeviceKind kind) {
        this.kind = kind;
        return this;
    }

    TestDevice vendor(String vendor) {
        this.vendor = vendor;
        return this;
    }

    TestDevice model(String model) {
        this.model = model;
        return this;
    }

    TestDevice memory(long memory) {
        this.memory = memory;
        return this;
    }

    TestDevice computeUnits(int computeUnits) {
        this.computeUnits = computeUnits;
        return this;
    }

    TestDevice attr(String key, String value) {
        attributes.put(key, value);
        return this;
    }

    TestDevice pci(String address) {
        return attr(Device.ATTR_PCI, address);
    }

    TestDevice health(Health health, String reason) {
        this.health = health;
        this.reason = reason;
        return this;
    }

    TestDevice from(String source) {
        this.source = source;
        return this;
    }

    Device build() {
        return new Device(id, kind, vendor, model, memory, computeUnits, attributes, health, reason, Set.of(source));
    }
}
