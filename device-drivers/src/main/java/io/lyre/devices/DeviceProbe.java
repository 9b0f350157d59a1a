package io.lyre.devices;

/**
 * One source of device facts (OSHI, CUDA, OpenCL, sysfs). Implementations are found with
 * {@link java.util.ServiceLoader}; a probe that finds no driver or no hardware says so in its
 * status and never throws for it.
 */
public interface DeviceProbe {

    /** Short name used in status lines and in {@link Device#sources()}: "cpu", "cuda", "opencl", "sysfs". */
    String name();

    /** Looks at the host. */
    ProbeResult probe(ProbeContext context);
}
