package io.lyre.devices;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * NVIDIA GPUs (display class), listed even without a driver so an admin sees a card that CUDA cannot.
 * Sysfs cannot tell whether a bound card works, so a bound card is UNKNOWN here and the CUDA probe's
 * HEALTHY wins in the merge; an unbound one is UNHEALTHY.
 */
final class NvidiaGpus implements PciFamily {

    static final int VENDOR = 0x10de;

    private static final Map<Integer, String> MODELS = Map.ofEntries(
            Map.entry(0x20b0, "A100-SXM4-40GB"),
            Map.entry(0x20b2, "A100-SXM4-80GB"),
            Map.entry(0x20b5, "A100 80GB PCIe"),
            Map.entry(0x20f1, "A100-PCIE-40GB"),
            Map.entry(0x20b7, "A30"),
            Map.entry(0x2230, "RTX A6000"),
            Map.entry(0x2236, "A10"),
            Map.entry(0x2330, "H100 SXM5 80GB"),
            Map.entry(0x2331, "H100 PCIe"),
            Map.entry(0x2335, "H200"),
            Map.entry(0x26b5, "L40"),
            Map.entry(0x26b9, "L40S"),
            Map.entry(0x27b8, "L4"),
            Map.entry(0x1eb8, "Tesla T4"),
            Map.entry(0x1db4, "Tesla V100-PCIE-16GB"),
            Map.entry(0x2204, "GeForce RTX 3090"),
            Map.entry(0x2684, "GeForce RTX 4090"));

    @Override
    public boolean claims(int vendor, int device, int classCode) {
        return vendor == VENDOR && (classCode >>> 16) == 0x03;
    }

    @Override
    public List<Device> describe(List<PciFunction> functions, SysfsScan scan) {
        List<Device> devices = new ArrayList<>();
        for (PciFunction f : functions) {
            Health health = Health.UNKNOWN;
            String reason = "";
            if (!"nvidia".equals(f.driver())) {
                health = Health.UNHEALTHY;
                reason = f.driver().isEmpty() ? "no NVIDIA driver bound" : "no NVIDIA driver bound (bound to " + f.driver() + ")";
            }
            String model = MODELS.getOrDefault(f.device(), String.format(Locale.ROOT, "NVIDIA GPU 0x%04x", f.device()));
            devices.add(new Device(f.address().toString(), DeviceKind.GPU, Vendors.NVIDIA, model, 0, 0,
                    f.baseAttributes(), health, reason, Set.of(SysfsPciProbe.NAME)));
        }
        return devices;
    }
}
