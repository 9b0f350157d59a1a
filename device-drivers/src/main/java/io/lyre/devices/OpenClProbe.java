package io.lyre.devices;

import static org.jocl.CL.CL_DEVICE_AVAILABLE;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VENDOR;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_NOT_FOUND_KHR;
import static org.jocl.CL.CL_SUCCESS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Every device of every OpenCL platform (JOCL): GPUs, CPUs (PoCL, Intel's CPU runtime) and accelerators,
 * which is how FPGA boards (Xilinx XRT, Intel FPGA SDK) appear. Ids are the PCI address when the device
 * reports one, else {@code opencl:<platform>:<device>}.
 *
 * <p>Status: ABSENT when the ICD loader cannot be loaded or finds no platform or device; FAILED when the
 * platform list itself fails; OK otherwise, with per-platform or per-device failures named in the detail.
 */
public final class OpenClProbe implements DeviceProbe {

    public static final String NAME = "opencl";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ProbeContext context) {
        try {
            return list();
        } catch (LinkageError e) {
            return absentFor(e);
        } catch (CLException e) {
            // Only if someone turned JOCL's exceptions on; the codes say the same.
            return ProbeResult.failed(NAME, OneLineReason.cause(e));
        }
    }

    /** JOCL throws UnsatisfiedLinkError from its static init when libOpenCL.so (the ICD loader) is missing. */
    static ProbeResult absentFor(LinkageError e) {
        return ProbeResult.absent(NAME, "no OpenCL ICD loader (" + OneLineReason.cause(e) + ")");
    }

    private ProbeResult list() {
        int[] count = new int[1];
        int status = CL.clGetPlatformIDs(0, null, count);
        if (status == CL_PLATFORM_NOT_FOUND_KHR || (status == CL_SUCCESS && count[0] == 0)) {
            return ProbeResult.absent(NAME, "no OpenCL platform (no ICD registered)");
        }
        if (status != CL_SUCCESS) {
            return ProbeResult.failed(NAME, "clGetPlatformIDs: " + CL.stringFor_errorCode(status));
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        status = CL.clGetPlatformIDs(platforms.length, platforms, null);
        if (status != CL_SUCCESS) {
            return ProbeResult.failed(NAME, "clGetPlatformIDs: " + CL.stringFor_errorCode(status));
        }

        ScanProblems problems = new ScanProblems();
        List<Device> devices = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            devices.addAll(platformDevices(p, platforms[p], problems));
        }
        String found = "found " + ScanProblems.count(devices.size(), "device") + " on "
                + ScanProblems.count(platforms.length, "platform");
        if (devices.isEmpty() && problems.isEmpty()) {
            return ProbeResult.absent(NAME, "no OpenCL device on " + ScanProblems.count(platforms.length, "platform"));
        }
        return ProbeResult.of(ProbeStatus.ok(NAME, problems.summary(found)), devices);
    }

    private List<Device> platformDevices(int index, cl_platform_id platform, ScanProblems problems) {
        String where = "platform " + index;
        List<Device> devices = new ArrayList<>();
        String platformName;
        try {
            platformName = OpenClInfo.platformString(platform, CL_PLATFORM_NAME, "CL_PLATFORM_NAME");
        } catch (OpenClInfo.QueryFailed e) {
            problems.add(where, e.getMessage());
            return devices;
        }
        int[] count = new int[1];
        int status = CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, count);
        if (status == CL_DEVICE_NOT_FOUND || (status == CL_SUCCESS && count[0] == 0)) {
            return devices;
        }
        cl_device_id[] ids = new cl_device_id[count[0]];
        if (status == CL_SUCCESS) {
            status = CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
        }
        if (status != CL_SUCCESS) {
            problems.add(where + " (" + platformName + ")", "clGetDeviceIDs: " + CL.stringFor_errorCode(status));
            return devices;
        }
        for (int d = 0; d < ids.length; d++) {
            try {
                devices.add(device(index, d, platformName, ids[d]));
            } catch (OpenClInfo.QueryFailed e) {
                problems.add("device " + index + ":" + d, e.getMessage());
            }
        }
        return devices;
    }

    private static Device device(int platformIndex, int deviceIndex, String platformName, cl_device_id id)
            throws OpenClInfo.QueryFailed {
        long type = OpenClInfo.deviceLong(id, CL_DEVICE_TYPE, "CL_DEVICE_TYPE");
        String name = OpenClInfo.deviceString(id, CL_DEVICE_NAME, "CL_DEVICE_NAME");
        String vendor = OpenClInfo.deviceString(id, CL_DEVICE_VENDOR, "CL_DEVICE_VENDOR");
        String version = OpenClInfo.deviceString(id, CL_DEVICE_VERSION, "CL_DEVICE_VERSION");
        String driverVersion = OpenClInfo.deviceString(id, CL_DRIVER_VERSION, "CL_DRIVER_VERSION");
        long memory = OpenClInfo.deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE, "CL_DEVICE_GLOBAL_MEM_SIZE");
        int computeUnits = OpenClInfo.deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS, "CL_DEVICE_MAX_COMPUTE_UNITS");
        String extensions = OpenClInfo.deviceString(id, CL_DEVICE_EXTENSIONS, "CL_DEVICE_EXTENSIONS");
        boolean available = OpenClInfo.deviceInt(id, CL_DEVICE_AVAILABLE, "CL_DEVICE_AVAILABLE") != 0;

        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("opencl.platform", platformName);
        attributes.put("opencl.version", version);
        attributes.put("opencl.device", platformIndex + ":" + deviceIndex);
        attributes.put(Device.ATTR_DRIVER_VERSION, driverVersion);
        Optional<PciAddress> pci = pciAddress(id, extensions);
        pci.ifPresent(a -> attributes.put(Device.ATTR_PCI, a.toString()));
        String deviceId = pci.map(PciAddress::toString).orElse("opencl:" + platformIndex + ":" + deviceIndex);
        return new Device(deviceId, kind(type), Vendors.canonical(vendor), name, memory, computeUnits, attributes,
                available ? Health.HEALTHY : Health.UNHEALTHY, available ? "" : "OpenCL reports it unavailable", Set.of(NAME));
    }

    static DeviceKind kind(long type) {
        if ((type & CL_DEVICE_TYPE_GPU) != 0) {
            return DeviceKind.GPU;
        }
        if ((type & CL_DEVICE_TYPE_CPU) != 0) {
            return DeviceKind.CPU;
        }
        // ACCELERATOR (FPGA boards) and CUSTOM devices.
        return DeviceKind.ACCELERATOR;
    }

    private static Optional<PciAddress> pciAddress(cl_device_id id, String extensions) {
        List<String> names = List.of(extensions.split("\\s+"));
        if (names.contains(OpenClPciAddress.KHR_EXTENSION)) {
            Optional<PciAddress> a = OpenClInfo.optionalBytes(id, OpenClPciAddress.CL_DEVICE_PCI_BUS_INFO_KHR, 16)
                    .flatMap(OpenClPciAddress::fromKhr);
            if (a.isPresent()) {
                return a;
            }
        }
        if (names.contains(OpenClPciAddress.NV_EXTENSION)) {
            Optional<Integer> bus = OpenClInfo.optionalInt(id, OpenClPciAddress.CL_DEVICE_PCI_BUS_ID_NV);
            Optional<Integer> slot = OpenClInfo.optionalInt(id, OpenClPciAddress.CL_DEVICE_PCI_SLOT_ID_NV);
            int domain = OpenClInfo.optionalInt(id, OpenClPciAddress.CL_DEVICE_PCI_DOMAIN_ID_NV).orElse(0);
            if (bus.isPresent() && slot.isPresent()) {
                return OpenClPciAddress.fromNv(domain, bus.get(), slot.get());
            }
        }
        if (names.contains(OpenClPciAddress.AMD_EXTENSION)) {
            return OpenClInfo.optionalBytes(id, OpenClPciAddress.CL_DEVICE_TOPOLOGY_AMD, 24)
                    .flatMap(OpenClPciAddress::fromAmdTopology);
        }
        return Optional.empty();
    }
}
