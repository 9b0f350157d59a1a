package io.lyre.devices;

import java.util.List;

/**
 * Facts about the host itself (from the CPU probe).
 *
 * @param hostname    the host's name
 * @param os          operating system and version
 * @param arch        CPU architecture ("amd64")
 * @param cpuModel    processor name
 * @param sockets     physical packages
 * @param cores       physical cores, all sockets
 * @param threads     logical processors, all sockets
 * @param numaNodes   NUMA nodes
 * @param memoryBytes total memory
 * @param cpuFlags    notable flags (avx2, avx512f, ...), sorted
 */
public record HostFacts(
        String hostname,
        String os,
        String arch,
        String cpuModel,
        int sockets,
        int cores,
        int threads,
        int numaNodes,
        long memoryBytes,
        List<String> cpuFlags) {

    public HostFacts {
        cpuFlags = List.copyOf(cpuFlags == null ? List.of() : cpuFlags);
    }

    public static HostFacts unknown(String hostname) {
        return new HostFacts(hostname, "", System.getProperty("os.arch", ""), "", 0, 0, 0, 0, 0, List.of());
    }
}
