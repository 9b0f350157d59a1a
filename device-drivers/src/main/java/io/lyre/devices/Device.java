package io.lyre.devices;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One device on a host.
 *
 * @param id            stable id: the GPU UUID when a driver tells it, else the PCI address, else a probe-local id
 * @param kind          CPU, GPU, FPGA or ACCELERATOR
 * @param vendor        vendor name ("NVIDIA", "AMD", "Xilinx", "Intel")
 * @param model         product name
 * @param memoryBytes   device memory in bytes; 0 when unknown
 * @param computeUnits  SMs, CUs, OpenCL compute units or hardware threads; 0 when unknown
 * @param attributes    free-form facts: {@code pci}, {@code numa}, {@code driver}, {@code cuda.cc}, {@code uuid}, ...
 * @param health        whether it can take work
 * @param healthReason  why it is not healthy; empty when healthy
 * @param sources       the probes that saw it ("cuda", "opencl", "sysfs", "cpu")
 */
public record Device(
        String id,
        DeviceKind kind,
        String vendor,
        String model,
        long memoryBytes,
        int computeUnits,
        Map<String, String> attributes,
        Health health,
        String healthReason,
        Set<String> sources) {

    public static final String ATTR_PCI = "pci";
    public static final String ATTR_NUMA = "numa";
    public static final String ATTR_DRIVER = "driver";
    public static final String ATTR_CUDA_CC = "cuda.cc";
    public static final String ATTR_UUID = "uuid";
    /** Comma-separated absolute device-node paths a container needs ("/dev/kfd,/dev/dri/renderD128"). */
    public static final String ATTR_DEV_NODES = "dev.nodes";
    /** PCI vendor and device id of the (first) function, lowercase hex: "10ee:5004". */
    public static final String ATTR_PCI_ID = "pci.id";
    /** Driver or runtime version as the driver-backed probe reports it ("12.4" for CUDA). */
    public static final String ATTR_DRIVER_VERSION = "driver.version";

    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        vendor = vendor == null ? "" : vendor;
        model = model == null ? "" : model;
        attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
        health = health == null ? Health.UNKNOWN : health;
        healthReason = healthReason == null ? "" : healthReason;
        sources = Set.copyOf(sources == null ? Set.of() : sources);
    }

    /** The normalised PCI address ("0000:3b:00.0"), or null when the device has none. */
    public String pciAddress() {
        return attributes.get(ATTR_PCI);
    }

    /** Attributes sorted by key, for stable output. */
    public Map<String, String> sortedAttributes() {
        return new TreeMap<>(attributes);
    }

    public Set<String> sortedSources() {
        return new TreeSet<>(sources);
    }

    /** The device nodes from {@link #ATTR_DEV_NODES}, in order; empty when none are known. */
    public List<String> deviceNodes() {
        String nodes = attributes.getOrDefault(ATTR_DEV_NODES, "");
        return nodes.isEmpty() ? List.of() : List.of(nodes.split(","));
    }
}
