package io.lyre.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scans {@code <sysfs>/bus/pci/devices} for the cards no vendor library may be installed for: Xilinx and
 * Intel FPGAs, AMD GPUs (through KFD) and NVIDIA GPUs without a driver. Needs no native code, so it works
 * wherever sysfs is mounted.
 *
 * <p>Status: ABSENT when there is no PCI bus directory; FAILED only when it cannot be listed; otherwise OK,
 * also when single entries are unreadable or hold garbage: those are skipped or degraded, the others listed,
 * and the detail names each problem ("found 3 devices in 40 PCI functions; 1 problem: 0000:05:00.0/vendor:
 * not a hex id 'zzz'").
 */
public final class SysfsPciProbe implements DeviceProbe {

    public static final String NAME = "sysfs";

    private final List<PciFamily> families = List.of(new XilinxFpgas(), new IntelFpgas(), new AmdGpus(), new NvidiaGpus());

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ProbeContext context) {
        Path bus = context.sysfsRoot().resolve("bus/pci/devices");
        if (!Files.exists(bus)) {
            return ProbeResult.absent(NAME, "no PCI bus at " + bus);
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(bus)) {
            listing.forEach(entries::add);
        } catch (IOException e) {
            return ProbeResult.failed(NAME, "cannot list " + bus + ": " + OneLineReason.cause(e));
        }
        entries.sort(null);

        ScanProblems problems = new ScanProblems();
        SysfsScan scan = new SysfsScan(context.sysfsRoot(), context.devRoot(), problems);
        PciFunctionReader reader = new PciFunctionReader(problems);
        Map<PciFamily, List<PciFunction>> claimed = new LinkedHashMap<>();
        for (Path entry : entries) {
            reader.read(entry, (v, d, c) -> familyOf(v, d, c).isPresent()).ifPresent(f ->
                    claimed.computeIfAbsent(familyOf(f.vendor(), f.device(), f.classCode()).orElseThrow(),
                            k -> new ArrayList<>()).add(f));
        }
        List<Device> devices = new ArrayList<>();
        claimed.forEach((family, functions) -> devices.addAll(family.describe(functions, scan)));
        devices.sort(Comparator.comparing(Device::id));
        String found = "found " + ScanProblems.count(devices.size(), "device") + " in "
                + ScanProblems.count(entries.size(), "PCI function");
        return ProbeResult.of(ProbeStatus.ok(NAME, problems.summary(found)), devices);
    }

    private Optional<PciFamily> familyOf(int vendor, int device, int classCode) {
        return families.stream().filter(f -> f.claims(vendor, device, classCode)).findFirst();
    }
}
