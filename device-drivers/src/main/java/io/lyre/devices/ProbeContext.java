package io.lyre.devices;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where probes look. Tests point {@code sysfsRoot} at fixture trees copied from real hosts.
 *
 * @param sysfsRoot the sysfs mount, normally {@code /sys}
 * @param devRoot   the device-node directory, normally {@code /dev}
 */
public record ProbeContext(Path sysfsRoot, Path devRoot) {

    public ProbeContext {
        Objects.requireNonNull(sysfsRoot, "sysfsRoot");
        Objects.requireNonNull(devRoot, "devRoot");
    }

    public static ProbeContext host() {
        return new ProbeContext(Path.of("/sys"), Path.of("/dev"));
    }
}
