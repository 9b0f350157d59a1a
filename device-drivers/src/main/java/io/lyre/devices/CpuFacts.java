package io.lyre.devices;

import java.util.List;

/**
 * What the CPU probe learns about the host, from whichever source could tell it.
 *
 * @param vendor      canonical vendor ("AMD", "Intel")
 * @param model       processor name
 * @param cpus        one entry per logical processor
 * @param flagLines   /proc/cpuinfo-style flag lines ("flags : fpu vme ...")
 * @param memoryBytes total memory
 * @param os          operating system and version
 * @param source      where it came from, for the status line
 */
record CpuFacts(String vendor, String model, List<LogicalCpu> cpus, List<String> flagLines, long memoryBytes, String os,
                String source) {

    /** One logical processor and where it sits. */
    record LogicalCpu(int number, int socket, int core, int numaNode) {
    }

    CpuFacts {
        cpus = List.copyOf(cpus);
        flagLines = List.copyOf(flagLines);
    }
}
