package io.lyre.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Intel (and Altera) FPGA cards. With the upstream DFL driver (dfl-pci) the card's FPGA region holds
 * {@code dfl-fme.N} and {@code dfl-port.N}, which are also the names of its device nodes; the older OPAE
 * driver (intel-fpga-pci) shows {@code fpga/intel-fpga-dev.N/intel-fpga-{fme,port}.N} the same way.
 * Regions are also looked up under {@code class/fpga_region}, whose {@code device} link names the card.
 */
final class IntelFpgas implements PciFamily {

    static final int ALTERA = 0x1172;
    static final int INTEL = 0x8086;

    private static final Map<Integer, String> MODELS = Map.of(
            0x09c4, "PAC Arria 10 GX", 0x09c5, "PAC Arria 10 GX (VF)",
            0x0b30, "PAC N3000", 0x0b31, "PAC N3000 (VF)",
            0x0b2b, "PAC D5005", 0x0b2c, "PAC D5005 (VF)",
            0xbcce, "FPGA (OFS)");

    private static final Set<String> DRIVERS = Set.of("dfl-pci", "intel-fpga-pci");
    private static final Pattern NODE = Pattern.compile("(dfl|intel-fpga)-(fme|port)\\.\\d+");
    // fpga_region/region0/dfl-fme.0 and fpga/intel-fpga-dev.0/intel-fpga-fme.0 are both three levels down.
    private static final int NODE_DEPTH = 3;

    @Override
    public boolean claims(int vendor, int device, int classCode) {
        return (vendor == ALTERA && (classCode >>> 16) != 0x06) || (vendor == INTEL && MODELS.containsKey(device));
    }

    @Override
    public List<Device> describe(List<PciFunction> functions, SysfsScan scan) {
        Map<PciAddress, List<String>> regions = regionsByCard(scan);
        Map<PciAddress, List<PciFunction>> cards = new TreeMap<>();
        for (PciFunction f : functions) {
            cards.computeIfAbsent(f.address().functionZero(), k -> new ArrayList<>()).add(f);
        }
        List<Device> devices = new ArrayList<>();
        for (List<PciFunction> card : cards.values()) {
            card.sort((a, b) -> a.address().compareTo(b.address()));
            devices.add(card(card, regions, scan));
        }
        return devices;
    }

    private Device card(List<PciFunction> card, Map<PciAddress, List<String>> regions, SysfsScan scan) {
        PciFunction pf = card.get(0);
        String model = MODELS.getOrDefault(pf.device(), String.format(Locale.ROOT,
                pf.vendor() == ALTERA ? "Altera device 0x%04x" : "FPGA device 0x%04x", pf.device()));
        Map<String, String> attributes = pf.baseAttributes();

        TreeSet<String> nodes = new TreeSet<>();
        List<Path> regionDirs = new ArrayList<>();
        for (PciFunction f : card) {
            nodes.addAll(nodesUnder(f.dir(), f.address().toString(), scan));
            for (String region : regions.getOrDefault(f.address(), List.of())) {
                regionDirs.add(scan.sysfsRoot().resolve("class/fpga_region").resolve(region));
            }
        }
        for (Path region : regionDirs) {
            nodes.addAll(nodesUnder(region, "class/fpga_region/" + region.getFileName(), scan));
        }
        if (!regionDirs.isEmpty()) {
            attributes.put("fpga.regions", String.join(",", regionDirs.stream().map(r -> r.getFileName().toString()).toList()));
        }
        if (!nodes.isEmpty()) {
            attributes.put(Device.ATTR_DEV_NODES, String.join(",", nodes.stream().map(scan::devNode).toList()));
        }

        Health health;
        String reason;
        if (DRIVERS.contains(pf.driver())) {
            health = Health.HEALTHY;
            reason = "";
        } else {
            health = Health.UNHEALTHY;
            reason = pf.driver().isEmpty() ? "no FPGA driver bound (dfl-pci or intel-fpga-pci)"
                    : "bound to " + pf.driver() + ", not dfl-pci or intel-fpga-pci";
        }
        return new Device(pf.address().toString(), DeviceKind.FPGA, Vendors.INTEL, model, 0, 0, attributes,
                health, reason, Set.of(SysfsPciProbe.NAME));
    }

    /** FME and port names found up to three levels below {@code dir}, without following links out of it. */
    private static List<String> nodesUnder(Path dir, String where, SysfsScan scan) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            scan.problems().add(where, "unreadable (" + OneLineReason.cause(e) + ")");
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(real, NODE_DEPTH)) {
            return walk.map(p -> p.getFileName().toString()).filter(n -> NODE.matcher(n).matches()).toList();
        } catch (IOException | RuntimeException e) {
            scan.problems().add(where, "unreadable (" + OneLineReason.cause(e) + ")");
            return List.of();
        }
    }

    /** class/fpga_region/regionN -> the PCI address its {@code device} link points at. */
    private static Map<PciAddress, List<String>> regionsByCard(SysfsScan scan) {
        Map<PciAddress, List<String>> regions = new TreeMap<>();
        Path classDir = scan.sysfsRoot().resolve("class/fpga_region");
        if (!Files.isDirectory(classDir)) {
            return regions;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(classDir, "region*")) {
            for (Path region : entries) {
                cardOf(region).ifPresent(card -> regions.computeIfAbsent(card, k -> new ArrayList<>())
                        .add(region.getFileName().toString()));
            }
        } catch (IOException e) {
            scan.problems().add("class/fpga_region", "unreadable (" + OneLineReason.cause(e) + ")");
        }
        regions.values().forEach(list -> list.sort(null));
        return regions;
    }

    private static Optional<PciAddress> cardOf(Path region) {
        Path device = region.resolve("device");
        try {
            Path target = Files.isSymbolicLink(device) ? Files.readSymbolicLink(device) : device.toRealPath();
            return PciAddress.parse(target.getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
