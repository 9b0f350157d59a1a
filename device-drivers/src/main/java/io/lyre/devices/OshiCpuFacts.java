package io.lyre.devices;

import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

/**
 * CPU facts through OSHI, for hosts where {@link LinuxCpuFacts} cannot read them (macOS, Windows, Linux on
 * arm64 whose /proc/cpuinfo has no model name). Slower: OSHI starts helper processes for the processor query.
 * Asks only for processor, memory and OS facts (no process or disk enumeration).
 */
final class OshiCpuFacts {

    private OshiCpuFacts() {
    }

    static CpuFacts read() {
        SystemInfo system = new SystemInfo();
        HardwareAbstractionLayer hardware = system.getHardware();
        CentralProcessor cpu = hardware.getProcessor();
        OperatingSystem os = system.getOperatingSystem();
        CentralProcessor.ProcessorIdentifier id = cpu.getProcessorIdentifier();
        String name = id.getName() == null ? "" : id.getName().trim();
        List<CpuFacts.LogicalCpu> cpus = cpu.getLogicalProcessors().stream()
                .map(lp -> new CpuFacts.LogicalCpu(lp.getProcessorNumber(), lp.getPhysicalPackageNumber(),
                        lp.getPhysicalProcessorNumber(), lp.getNumaNode()))
                .toList();
        return new CpuFacts(Vendors.canonical(id.getVendor()), name.isEmpty() ? id.getIdentifier() : name, cpus,
                cpu.getFeatureFlags(), hardware.getMemory().getTotal(),
                (os.getFamily() + " " + os.getVersionInfo()).trim(), "OSHI");
    }
}
