package io.lyre.devices;

import java.util.List;
import java.util.Objects;

/** What a host has: its facts, its devices (merged across probes) and one status line per probe. */
public record HostInventory(HostFacts host, List<Device> devices, List<ProbeStatus> probes) {

    public HostInventory {
        Objects.requireNonNull(host, "host");
        devices = List.copyOf(devices);
        probes = List.copyOf(probes);
    }
}
