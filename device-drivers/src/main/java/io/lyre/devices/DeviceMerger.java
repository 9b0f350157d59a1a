package io.lyre.devices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes one device of what several probes saw of it.
 *
 * <ul>
 *   <li>Devices with the same normalised PCI address are one; so are devices without one that share an id.</li>
 *   <li>Each field comes from the richest source that knows it: a non-empty or non-zero value beats an empty one,
 *       and between two values the source ranked first wins: cuda, sysfs, cpu, opencl, then the rest. So CUDA's
 *       UUID becomes an NVIDIA GPU's id, and sysfs's "Instinct MI210" and FPGA kind beat OpenCL's "gfx90a" and
 *       ACCELERATOR.</li>
 *   <li>Attributes are unioned, the higher-ranked source winning a conflict; sources are unioned.</li>
 *   <li>Health: HEALTHY from a driver-backed probe (cuda, opencl) beats anything, since the driver just answered;
 *       else UNHEALTHY beats HEALTHY beats UNKNOWN, with that device's reason.</li>
 *   <li>The CPU seen through OpenCL (PoCL and the like) is folded into the CPU probe's device when the host has
 *       one socket and OpenCL shows one CPU device: it adds its opencl.* attributes (its driver.version as
 *       opencl.driver.version) and its source. With several sockets or several OpenCL CPU devices it stays its
 *       own CPU device ({@code opencl:<platform>:<device>}), since it spans sockets.</li>
 * </ul>
 * The result is sorted by kind, then by PCI address or id.
 */
public final class DeviceMerger {

    private static final List<String> RANK = List.of(CudaProbe.NAME, SysfsPciProbe.NAME, CpuProbe.NAME, OpenClProbe.NAME);
    private static final Set<String> DRIVER_BACKED = Set.of(CudaProbe.NAME, OpenClProbe.NAME);

    private DeviceMerger() {
    }

    public static List<Device> merge(List<Device> seen) {
        Map<String, List<Device>> groups = new LinkedHashMap<>();
        for (Device d : seen) {
            String pci = PciAddress.normalise(d.pciAddress());
            String key = pci != null ? "pci:" + pci : "id:" + d.id();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
        }
        List<Device> merged = new ArrayList<>();
        for (List<Device> group : groups.values()) {
            merged.add(combine(group));
        }
        merged = foldOpenClCpu(merged);
        merged.sort(Comparator.comparing(Device::kind)
                .thenComparing(d -> d.pciAddress() != null ? d.pciAddress() : "~" + d.id()));
        return List.copyOf(merged);
    }

    /** Merges devices known to be the same one. */
    static Device combine(List<Device> same) {
        if (same.size() == 1) {
            return normalisedPci(same.get(0));
        }
        List<Device> ranked = new ArrayList<>(same);
        ranked.sort(Comparator.comparingInt(DeviceMerger::rank));

        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = ranked.size() - 1; i >= 0; i--) {
            attributes.putAll(ranked.get(i).attributes());
        }
        String pci = PciAddress.normalise(attributes.get(Device.ATTR_PCI));
        if (pci != null) {
            attributes.put(Device.ATTR_PCI, pci);
        }
        Set<String> sources = new HashSet<>();
        ranked.forEach(d -> sources.addAll(d.sources()));
        Device health = healthFrom(ranked);
        Device first = ranked.get(0);
        return new Device(
                first.id(),
                first.kind(),
                firstNonEmpty(ranked, Device::vendor),
                firstNonEmpty(ranked, Device::model),
                ranked.stream().mapToLong(Device::memoryBytes).filter(m -> m > 0).findFirst().orElse(0),
                ranked.stream().mapToInt(Device::computeUnits).filter(c -> c > 0).findFirst().orElse(0),
                attributes,
                health.health(),
                health.healthReason(),
                sources);
    }

    private static Device healthFrom(List<Device> ranked) {
        for (Device d : ranked) {
            if (d.health() == Health.HEALTHY && d.sources().stream().anyMatch(DRIVER_BACKED::contains)) {
                return d;
            }
        }
        for (Health h : List.of(Health.UNHEALTHY, Health.HEALTHY)) {
            for (Device d : ranked) {
                if (d.health() == h) {
                    return d;
                }
            }
        }
        return ranked.get(0);
    }

    private static List<Device> foldOpenClCpu(List<Device> devices) {
        List<Device> cpus = devices.stream().filter(d -> d.kind() == DeviceKind.CPU && d.sources().contains(CpuProbe.NAME)).toList();
        List<Device> openClCpus = devices.stream().filter(d -> d.kind() == DeviceKind.CPU && d.pciAddress() == null
                && d.sources().equals(Set.of(OpenClProbe.NAME))).toList();
        if (cpus.size() != 1 || openClCpus.size() != 1) {
            return devices;
        }
        // Only its opencl.* facts: a driver.version on the host CPU would read as the CPU's own.
        Device openCl = openClCpus.get(0);
        Map<String, String> openClFacts = new LinkedHashMap<>();
        openCl.attributes().forEach((k, v) -> {
            if (k.startsWith("opencl.")) {
                openClFacts.put(k, v);
            }
        });
        openClFacts.put("opencl.driver.version", openCl.attributes().getOrDefault(Device.ATTR_DRIVER_VERSION, ""));
        openClFacts.values().removeIf(String::isEmpty);
        Device folded = combine(List.of(cpus.get(0), new Device(openCl.id(), openCl.kind(), openCl.vendor(), openCl.model(),
                openCl.memoryBytes(), openCl.computeUnits(), openClFacts, openCl.health(), openCl.healthReason(),
                openCl.sources())));
        List<Device> result = new ArrayList<>();
        for (Device d : devices) {
            if (d == cpus.get(0)) {
                result.add(folded);
            } else if (d != openClCpus.get(0)) {
                result.add(d);
            }
        }
        return result;
    }

    private static int rank(Device d) {
        int best = RANK.size();
        for (String source : d.sources()) {
            int i = RANK.indexOf(source);
            if (i >= 0 && i < best) {
                best = i;
            }
        }
        return best;
    }

    private static String firstNonEmpty(List<Device> ranked, Function<Device, String> field) {
        return ranked.stream().map(field).filter(v -> v != null && !v.isBlank()).findFirst().orElse("");
    }

    private static Device normalisedPci(Device d) {
        String pci = PciAddress.normalise(d.pciAddress());
        if (pci == null || pci.equals(d.pciAddress())) {
            return d;
        }
        Map<String, String> attributes = new LinkedHashMap<>(d.attributes());
        attributes.put(Device.ATTR_PCI, pci);
        return new Device(d.id(), d.kind(), d.vendor(), d.model(), d.memoryBytes(), d.computeUnits(), attributes,
                d.health(), d.healthReason(), d.sources());
    }
}
