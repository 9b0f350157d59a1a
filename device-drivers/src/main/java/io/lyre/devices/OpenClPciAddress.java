package io.lyre.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Decodes the PCI address an OpenCL device may report through a vendor extension, so that its
 * device merges with what CUDA and sysfs say about the same card.
 */
final class OpenClPciAddress {

    /** cl_khr_pci_bus_info: struct { cl_uint domain, bus, device, function; }. */
    static final int CL_DEVICE_PCI_BUS_INFO_KHR = 0x410F;
    /** cl_nv_device_attribute_query. */
    static final int CL_DEVICE_PCI_BUS_ID_NV = 0x4008;
    static final int CL_DEVICE_PCI_SLOT_ID_NV = 0x4009;
    static final int CL_DEVICE_PCI_DOMAIN_ID_NV = 0x400A;
    /** cl_amd_device_attribute_query: cl_device_topology_amd, 24 bytes. */
    static final int CL_DEVICE_TOPOLOGY_AMD = 0x4037;

    static final String KHR_EXTENSION = "cl_khr_pci_bus_info";
    static final String NV_EXTENSION = "cl_nv_device_attribute_query";
    static final String AMD_EXTENSION = "cl_amd_device_attribute_query";

    private static final int AMD_TOPOLOGY_PCIE = 1;

    private OpenClPciAddress() {
    }

    static Optional<PciAddress> fromKhr(byte[] info) {
        if (info == null || info.length < 16) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
        return address(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12));
    }

    /** NVIDIA's slot id packs device and function as devfn does: (device << 3) | function. */
    static Optional<PciAddress> fromNv(int domain, int bus, int slot) {
        return address(domain, bus, (slot >>> 3) & 0x1f, slot & 0x7);
    }

    /** cl_device_topology_amd.pcie: cl_uint type (1 = PCIe), 17 unused bytes, then bus, device, function bytes. */
    static Optional<PciAddress> fromAmdTopology(byte[] topology) {
        if (topology == null || topology.length < 24) {
            return Optional.empty();
        }
        int type = ByteBuffer.wrap(topology).order(ByteOrder.nativeOrder()).getInt(0);
        if (type != AMD_TOPOLOGY_PCIE) {
            return Optional.empty();
        }
        return address(0, topology[21] & 0xff, topology[22] & 0xff, topology[23] & 0xff);
    }

    private static Optional<PciAddress> address(int domain, int bus, int device, int function) {
        try {
            return Optional.of(new PciAddress(domain, bus, device, function));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
