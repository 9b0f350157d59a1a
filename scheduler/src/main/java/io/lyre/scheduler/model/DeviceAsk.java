package io.lyre.scheduler.model;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.constraint.VendorAliases;

import java.util.List;
import java.util.Objects;

/**
 * "count devices of this kind (and vendor) that satisfy every constraint", with soft affinities and a sharing mode.
 * One ask is served by one engine; several asks of one app land on the same engine and never share a device.
 *
 * @param kind        what to take
 * @param vendor      a vendor name or alias ("NVIDIA", "10de"); empty = any vendor
 * @param count       how many devices
 * @param constraints hard requirements on device facts
 * @param affinities  soft preferences on device facts
 * @param sharing     exclusive, or time-shared by at most N apps
 */
public record DeviceAsk(DeviceKind kind, String vendor, int count, List<Constraint> constraints,
                        List<Affinity> affinities, Sharing sharing) {

    public DeviceAsk {
        Objects.requireNonNull(kind, "kind");
        vendor = vendor == null ? "" : vendor.trim();
        constraints = List.copyOf(constraints == null ? List.of() : constraints);
        affinities = List.copyOf(affinities == null ? List.of() : affinities);
        sharing = sharing == null ? Sharing.EXCLUSIVE : sharing;
    }

    public static DeviceAsk of(DeviceKind kind, String vendor, int count, String... constraints) {
        return new DeviceAsk(kind, vendor, count, java.util.Arrays.stream(constraints).map(Constraint::parse).toList(),
                List.of(), Sharing.EXCLUSIVE);
    }

    public DeviceAsk withSharing(Sharing s) {
        return new DeviceAsk(kind, vendor, count, constraints, affinities, s);
    }

    public DeviceAsk withAffinities(List<Affinity> a) {
        return new DeviceAsk(kind, vendor, count, constraints, a, sharing);
    }

    /** The canonical vendor key, empty for any. */
    public String vendorKey() {
        return VendorAliases.key(vendor);
    }

    /** "1 NVIDIA GPU (memory >= 20 GiB, cuda.cc >= 8.0)", for reasons and explain output. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(count).append(' ');
        if (!vendor.isEmpty()) {
            s.append(vendor).append(' ');
        }
        s.append(kind).append(count == 1 ? "" : "s");
        if (!constraints.isEmpty()) {
            s.append(" (").append(String.join(", ", constraints.stream().map(Constraint::source).toList())).append(')');
        }
        if (!sharing.exclusive()) {
            s.append(" ").append(sharing);
        }
        return s.toString();
    }
}
