package io.lyre.devices;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * NVIDIA GPUs through the CUDA driver API (JCuda). Each GPU's id is its UUID ("GPU-..."), the id Docker's
 * NVIDIA device requests take.
 *
 * <p>Status: ABSENT "no CUDA driver (libcuda.so.1 not found)" when no driver library is installed (checked on
 * files first, so hosts without NVIDIA never load JCuda's natives) or when loading it fails; ABSENT when the
 * driver sees no device; FAILED with the CUDA error name when a call fails (the devices read before it are kept).
 */
public final class CudaProbe implements DeviceProbe {

    public static final String NAME = "cuda";
    static final String NO_DRIVER = "no CUDA driver";

    private final BooleanSupplier driverInstalled;
    private final Supplier<CudaDriverApi> driver;

    public CudaProbe() {
        this(CudaDriverLibrary::installed, JCudaDriverApi::new);
    }

    /** For tests: {@code driverInstalled} replaces the file check, {@code driver} the JCuda bindings. */
    CudaProbe(BooleanSupplier driverInstalled, Supplier<CudaDriverApi> driver) {
        this.driverInstalled = Objects.requireNonNull(driverInstalled);
        this.driver = Objects.requireNonNull(driver);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ProbeContext context) {
        if (!driverInstalled.getAsBoolean()) {
            return ProbeResult.absent(NAME, NO_DRIVER + " (" + CudaDriverLibrary.LIBRARY + " not found)");
        }
        try {
            return list(driver.get());
        } catch (LinkageError e) {
            // JCudaDriver's static init fails with UnsatisfiedLinkError, later uses with NoClassDefFoundError.
            return ProbeResult.absent(NAME, NO_DRIVER + " (" + OneLineReason.cause(e) + ")");
        }
    }

    private ProbeResult list(CudaDriverApi api) {
        int version;
        int count;
        try {
            version = api.initAndGetDriverVersion();
            count = api.deviceCount();
        } catch (CudaDriverApi.CallFailed e) {
            return e.noDevice() ? ProbeResult.absent(NAME, "CUDA driver found no device")
                    : ProbeResult.failed(NAME, e.getMessage());
        }
        String driverVersion = (version / 1000) + "." + (version % 1000) / 10;
        if (count == 0) {
            return ProbeResult.absent(NAME, "CUDA driver " + driverVersion + " found no device");
        }
        List<Device> devices = new ArrayList<>();
        for (int ordinal = 0; ordinal < count; ordinal++) {
            try {
                devices.add(device(ordinal, api.device(ordinal), driverVersion));
            } catch (CudaDriverApi.CallFailed e) {
                return ProbeResult.of(ProbeStatus.failed(NAME, e.getMessage() + " (" + ScanProblems.count(devices.size(), "device")
                        + " read before it)"), devices);
            }
        }
        return ProbeResult.of(ProbeStatus.ok(NAME, "found " + ScanProblems.count(count, "device")
                + ", CUDA driver " + driverVersion), devices);
    }

    private static Device device(int ordinal, CudaDriverApi.DeviceFacts facts, String driverVersion) {
        String uuid = facts.uuid() != null && facts.uuid().length == 16 ? formatUuid(facts.uuid()) : null;
        Map<String, String> attributes = new LinkedHashMap<>();
        if (uuid != null) {
            attributes.put(Device.ATTR_UUID, uuid);
        }
        attributes.put(Device.ATTR_CUDA_CC, facts.ccMajor() + "." + facts.ccMinor());
        String pci = PciAddress.normalise(facts.pciBusId());
        if (pci != null) {
            attributes.put(Device.ATTR_PCI, pci);
        }
        attributes.put(Device.ATTR_DRIVER, "nvidia");
        attributes.put(Device.ATTR_DRIVER_VERSION, driverVersion);
        // Without a UUID (never seen; a defensive fallback) the PCI address, as other probes use, names it.
        String id = uuid != null ? uuid : pci != null ? pci : "cuda:" + ordinal;
        return new Device(id, DeviceKind.GPU, Vendors.NVIDIA, facts.name(), facts.totalMemory(), facts.multiprocessors(),
                attributes, Health.HEALTHY, "", Set.of(NAME));
    }

    /** nvidia-smi's form: "GPU-" and the 16 bytes as 8-4-4-4-12 lowercase hex. */
    static String formatUuid(byte[] uuid) {
        if (uuid == null || uuid.length != 16) {
            throw new IllegalArgumentException("a CUDA UUID has 16 bytes");
        }
        String hex = HexFormat.of().formatHex(uuid);
        return "GPU-" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
