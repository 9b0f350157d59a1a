package io.lyre.devices;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One PCI function as sysfs shows it under {@code bus/pci/devices/<address>}.
 *
 * @param address   its address
 * @param dir       its sysfs directory (usually a symlink into {@code devices/pci.../})
 * @param vendor    vendor id
 * @param device    device id
 * @param classCode 24-bit class code (0x030200: 3D controller)
 * @param subsystem "10de:1463", or empty when unknown
 * @param numaNode  NUMA node; empty when the platform does not say (-1) or the file is bad
 * @param driver    bound driver's name, empty when none is bound
 * @param drmNodes  names under {@code drm/}: "card1", "renderD128"
 */
record PciFunction(
        PciAddress address,
        Path dir,
        int vendor,
        int device,
        int classCode,
        String subsystem,
        OptionalInt numaNode,
        String driver,
        List<String> drmNodes) {

    PciFunction {
        drmNodes = List.copyOf(drmNodes);
    }

    /** Base class byte: 0x03 display, 0x06 bridge, 0x12 processing accelerator. */
    int baseClass() {
        return classCode >>> 16;
    }

    boolean isBridge() {
        return baseClass() == 0x06;
    }

    boolean isDisplay() {
        return baseClass() == 0x03;
    }

    String pciId() {
        return String.format(Locale.ROOT, "%04x:%04x", vendor, device);
    }

    List<String> renderNodes() {
        return drmNodes.stream().filter(n -> n.startsWith("renderD")).toList();
    }

    /** The attributes every sysfs device carries: pci, pci.id, pci.subsystem, numa, driver. */
    Map<String, String> baseAttributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(Device.ATTR_PCI, address.toString());
        attributes.put(Device.ATTR_PCI_ID, pciId());
        if (!subsystem.isEmpty()) {
            attributes.put("pci.subsystem", subsystem);
        }
        numaNode.ifPresent(n -> attributes.put(Device.ATTR_NUMA, Integer.toString(n)));
        if (!driver.isEmpty()) {
            attributes.put(Device.ATTR_DRIVER, driver);
        }
        return attributes;
    }
}
