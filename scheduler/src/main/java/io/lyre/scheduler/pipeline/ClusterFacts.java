package io.lyre.scheduler.pipeline;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/**
 * Facts about the whole set of engines that a scorer needs to compare one engine's devices with the rest:
 * the largest device memory of each kind, so "this GPU is big" has a scale.
 */
public record ClusterFacts(Map<DeviceKind, Long> maxMemoryByKind) {

    public static ClusterFacts of(Collection<Engine> engines) {
        Map<DeviceKind, Long> max = new EnumMap<>(DeviceKind.class);
        for (Engine e : engines) {
            for (SchedulableDevice d : e.devices()) {
                max.merge(d.kind(), d.memoryBytes(), Math::max);
            }
        }
        return new ClusterFacts(max);
    }

    public long maxMemory(DeviceKind kind) {
        return maxMemoryByKind.getOrDefault(kind, 0L);
    }
}
