package io.lyre.scheduler.policy;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Requirement;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * What AppAPI's deploy request asks for when no policy says more (appapi.md 2.3 and 5): {@code compute_device}
 * cuda = one NVIDIA GPU, rocm = one AMD GPU, cpu = none (HaRP itself hands over every GPU: we take one);
 * {@code resource_limits} memory in bytes and nanoCPUs (1e9 = one core).
 */
public final class AppApiDefaults {

    private AppApiDefaults() {
    }

    /**
     * @param computeDevice "cpu", "cuda" or "rocm"; null or blank = cpu
     * @param memoryBytes   resource_limits.memory, null or 0 = no limit
     * @param nanoCpus      resource_limits.nanoCPUs, null or 0 = no limit
     */
    public static Requirement requirement(String app, String computeDevice, Long memoryBytes, Long nanoCpus) {
        return new Requirement(app, milliCores(nanoCpus), memoryBytes == null ? 0 : Math.max(0, memoryBytes),
                devices(computeDevice), List.of(), OptionalInt.empty(), true);
    }

    public static List<DeviceAsk> devices(String computeDevice) {
        String cd = computeDevice == null || computeDevice.isBlank() ? "cpu" : computeDevice.trim().toLowerCase(Locale.ROOT);
        return switch (cd) {
            case "cpu" -> List.of();
            case "cuda" -> List.of(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1));
            case "rocm" -> List.of(DeviceAsk.of(DeviceKind.GPU, "AMD", 1));
            default -> throw new PolicyValidationException(List.of(
                    "compute_device: must be cpu, cuda or rocm, got '" + computeDevice + "'"));
        };
    }

    /** nanoCPUs to milli-cores, rounding up so a limit never shrinks below what AppAPI asked. */
    public static long milliCores(Long nanoCpus) {
        if (nanoCpus == null || nanoCpus <= 0) {
            return 0;
        }
        return (nanoCpus + 999_999) / 1_000_000;
    }
}
