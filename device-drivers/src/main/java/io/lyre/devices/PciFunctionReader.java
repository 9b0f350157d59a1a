package io.lyre.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads one {@code bus/pci/devices/<address>} entry. Ids come first; the rest (NUMA node, driver, DRM nodes)
 * is read only for functions a {@link PciFamily} claims, so a bad file on an unrelated bridge stays out of the report.
 */
final class PciFunctionReader {

    /** Which functions are worth reading in full. */
    interface Interest {
        boolean wants(int vendor, int device, int classCode);
    }

    private static final Pattern DRM_NODE = Pattern.compile("(card|renderD)\\d+");

    private final ScanProblems problems;

    PciFunctionReader(ScanProblems problems) {
        this.problems = problems;
    }

    /** The function, or empty when it is of no interest or cannot be identified (then a problem says why). */
    Optional<PciFunction> read(Path entry, Interest interest) {
        String name = entry.getFileName().toString();
        Optional<PciAddress> address = PciAddress.parse(name);
        if (address.isEmpty()) {
            problems.add(name, "not a PCI address");
            return Optional.empty();
        }
        if (!Files.isDirectory(entry)) {
            problems.add(name, Files.isSymbolicLink(entry) ? "dangling link" : "not a directory");
            return Optional.empty();
        }
        OptionalInt vendor = id(entry, name, "vendor");
        OptionalInt device = id(entry, name, "device");
        OptionalInt classCode = id(entry, name, "class");
        if (vendor.isEmpty() || device.isEmpty() || classCode.isEmpty()
                || !interest.wants(vendor.getAsInt(), device.getAsInt(), classCode.getAsInt())) {
            return Optional.empty();
        }
        return Optional.of(new PciFunction(address.get(), entry, vendor.getAsInt(), device.getAsInt(),
                classCode.getAsInt(), subsystem(entry, name), numaNode(entry, name), driver(entry, name),
                drmNodes(entry, name)));
    }

    private OptionalInt id(Path entry, String name, String file) {
        String where = name + "/" + file;
        return SysfsFile.hexId(SysfsFile.readRequired(entry.resolve(file), where, problems), where, problems);
    }

    private String subsystem(Path entry, String name) {
        OptionalInt vendor = optionalId(entry, name, "subsystem_vendor");
        OptionalInt device = optionalId(entry, name, "subsystem_device");
        if (vendor.isEmpty() || device.isEmpty()) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "%04x:%04x", vendor.getAsInt(), device.getAsInt());
    }

    private OptionalInt optionalId(Path entry, String name, String file) {
        String where = name + "/" + file;
        return SysfsFile.hexId(SysfsFile.read(entry.resolve(file), where, problems), where, problems);
    }

    private OptionalInt numaNode(Path entry, String name) {
        String where = name + "/numa_node";
        OptionalLong node = SysfsFile.number(SysfsFile.read(entry.resolve("numa_node"), where, problems), where, problems);
        // -1: the platform does not say (single-node hosts, some VMs).
        return node.isPresent() && node.getAsLong() >= 0 && node.getAsLong() < 4096
                ? OptionalInt.of((int) node.getAsLong())
                : OptionalInt.empty();
    }

    /** The bound driver's name: the last element of the {@code driver} link; empty when none is bound. */
    private String driver(Path entry, String name) {
        Path link = entry.resolve("driver");
        try {
            if (Files.isSymbolicLink(link)) {
                return Files.readSymbolicLink(link).getFileName().toString();
            }
            if (Files.isDirectory(link)) {
                return link.toRealPath().getFileName().toString();
            }
        } catch (IOException e) {
            problems.add(name + "/driver", "unreadable (" + OneLineReason.cause(e) + ")");
        }
        return "";
    }

    private List<String> drmNodes(Path entry, String name) {
        Path drm = entry.resolve("drm");
        List<String> nodes = new ArrayList<>();
        if (!Files.isDirectory(drm)) {
            return nodes;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(drm)) {
            for (Path child : children) {
                String node = child.getFileName().toString();
                if (DRM_NODE.matcher(node).matches()) {
                    nodes.add(node);
                }
            }
        } catch (IOException e) {
            problems.add(name + "/drm", "unreadable (" + OneLineReason.cause(e) + ")");
        }
        nodes.sort(null);
        return nodes;
    }
}
