package io.lyre.devices;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one probe found.
 *
 * @param status  the probe's status line
 * @param devices the devices it saw (possibly also seen by other probes; merged later by PCI address)
 * @param host    host facts, from the probe that knows them (the CPU probe)
 */
public record ProbeResult(ProbeStatus status, List<Device> devices, Optional<HostFacts> host) {

    public ProbeResult {
        Objects.requireNonNull(status, "status");
        devices = List.copyOf(devices);
        host = host == null ? Optional.empty() : host;
    }

    public static ProbeResult of(ProbeStatus status, List<Device> devices) {
        return new ProbeResult(status, devices, Optional.empty());
    }

    /** No driver or no hardware: not an error, no devices. */
    public static ProbeResult absent(String probe, String reason) {
        return of(ProbeStatus.absent(probe, reason), List.of());
    }

    /** The probe could not look; it saw no devices. */
    public static ProbeResult failed(String probe, String reason) {
        return of(ProbeStatus.failed(probe, reason), List.of());
    }
}
