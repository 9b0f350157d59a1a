package io.lyre.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Xilinx (AMD) Alveo cards. Each card shows two physical functions on one slot: the management PF
 * (driver xclmgmt, node {@code /dev/xclmgmt<N>}) and the user PF (driver xocl, node {@code /dev/dri/renderD*}).
 * Both are one FPGA, named by the slot's function 0, and a container needs both nodes (as XRT's docs say).
 */
final class XilinxFpgas implements PciFamily {

    static final int VENDOR = 0x10ee;

    private record Model(String name, String role) {
    }

    private static final String MGMT = "mgmt";
    private static final String USER = "user";
    private static final Map<String, String> EXPECTED_DRIVER = Map.of(MGMT, "xclmgmt", USER, "xocl");

    private static final Map<Integer, Model> MODELS = Map.ofEntries(
            Map.entry(0x5000, new Model("Alveo U200", MGMT)), Map.entry(0x5001, new Model("Alveo U200", USER)),
            Map.entry(0x5004, new Model("Alveo U250", MGMT)), Map.entry(0x5005, new Model("Alveo U250", USER)),
            Map.entry(0x500c, new Model("Alveo U280", MGMT)), Map.entry(0x500d, new Model("Alveo U280", USER)),
            Map.entry(0x5020, new Model("Alveo U50", MGMT)), Map.entry(0x5021, new Model("Alveo U50", USER)),
            Map.entry(0x505c, new Model("Alveo U55C", MGMT)), Map.entry(0x505d, new Model("Alveo U55C", USER)));

    private static final Pattern XCLMGMT_NODE = Pattern.compile("xclmgmt\\d+");

    @Override
    public boolean claims(int vendor, int device, int classCode) {
        return vendor == VENDOR && (classCode >>> 16) != 0x06;
    }

    @Override
    public List<Device> describe(List<PciFunction> functions, SysfsScan scan) {
        Map<PciAddress, List<PciFunction>> cards = new TreeMap<>();
        for (PciFunction f : functions) {
            cards.computeIfAbsent(f.address().functionZero(), k -> new ArrayList<>()).add(f);
        }
        List<Device> devices = new ArrayList<>();
        for (List<PciFunction> card : cards.values()) {
            card.sort((a, b) -> a.address().compareTo(b.address()));
            devices.add(card(card, scan));
        }
        return devices;
    }

    private Device card(List<PciFunction> card, SysfsScan scan) {
        PciFunction first = card.get(0);
        String model = card.stream().map(f -> MODELS.get(f.device())).filter(m -> m != null).map(Model::name)
                .findFirst().orElse(String.format(Locale.ROOT, "Xilinx device 0x%04x", first.device()));

        Map<String, String> attributes = first.baseAttributes();
        card.stream().filter(f -> f.numaNode().isPresent()).findFirst()
                .ifPresent(f -> attributes.put(Device.ATTR_NUMA, Integer.toString(f.numaNode().getAsInt())));
        attributes.put("pci.functions", card.stream().map(f -> f.address().toString()).collect(Collectors.joining(",")));
        String drivers = card.stream().map(PciFunction::driver).filter(d -> !d.isEmpty()).distinct()
                .collect(Collectors.joining(","));
        if (drivers.isEmpty()) {
            attributes.remove(Device.ATTR_DRIVER);
        } else {
            attributes.put(Device.ATTR_DRIVER, drivers);
        }
        Set<String> nodes = new LinkedHashSet<>();
        for (PciFunction f : card) {
            nodes.addAll(deviceNodes(f, scan));
        }
        if (!nodes.isEmpty()) {
            attributes.put(Device.ATTR_DEV_NODES, String.join(",", nodes));
        }

        String trouble = trouble(card);
        Health health = trouble.isEmpty() ? (roleKnown(card) ? Health.HEALTHY : Health.UNKNOWN) : Health.UNHEALTHY;
        return new Device(first.address().toString(), DeviceKind.FPGA, Vendors.XILINX, model, 0, 0, attributes,
                health, trouble, Set.of(SysfsPciProbe.NAME));
    }

    private static boolean roleKnown(List<PciFunction> card) {
        return card.stream().anyMatch(f -> MODELS.containsKey(f.device()));
    }

    /** Empty when every function of a known role has its XRT driver; else why not. */
    private static String trouble(List<PciFunction> card) {
        if (card.stream().allMatch(f -> f.driver().isEmpty())) {
            return "no XRT driver bound";
        }
        for (PciFunction f : card) {
            Model model = MODELS.get(f.device());
            if (model == null) {
                continue;
            }
            String expected = EXPECTED_DRIVER.get(model.role());
            if (!expected.equals(f.driver())) {
                return model.role() + " function " + f.address() + " is "
                        + (f.driver().isEmpty() ? "not bound to " + expected : "bound to " + f.driver() + ", not " + expected);
            }
        }
        return "";
    }

    /** The management PF's {@code /dev/xclmgmt<N>}, the user PF's render node. */
    private static List<String> deviceNodes(PciFunction f, SysfsScan scan) {
        List<String> nodes = new ArrayList<>();
        List<String> xclmgmt = xclmgmtNodes(f, scan);
        if (xclmgmt.isEmpty() && "xclmgmt".equals(f.driver())) {
            // xclmgmt names its node by XOCL_DEV_ID: (domain << 16) | (bus << 8) | devfn.
            PciAddress a = f.address();
            xclmgmt = List.of("xclmgmt" + ((a.domain() << 16) | a.locationId()));
        }
        xclmgmt.forEach(n -> nodes.add(scan.devNode(n)));
        f.renderNodes().forEach(n -> nodes.add(scan.devNode("dri/" + n)));
        return nodes;
    }

    /** Class devices the driver created: {@code <function>/xrt_mgmt/xclmgmt<N>}. */
    private static List<String> xclmgmtNodes(PciFunction f, SysfsScan scan) {
        List<String> names = new ArrayList<>();
        for (Path dir : List.of(f.dir().resolve("xrt_mgmt"), f.dir())) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    if (XCLMGMT_NODE.matcher(name).matches()) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                scan.problems().add(f.address() + "/xrt_mgmt", "unreadable (" + OneLineReason.cause(e) + ")");
            }
        }
        names.sort(null);
        return names;
    }
}
