package io.lyre.scheduler.policy;

import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Requirement;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * An admin's placement policy for one app. Every part is optional: what it leaves out comes from AppAPI's deploy
 * request ({@code compute_device}, {@code resource_limits}).
 *
 * @param app          the ExApp id
 * @param milliCores   overrides resource_limits.nanoCPUs
 * @param memoryBytes  overrides resource_limits.memory
 * @param devices      replaces the compute_device default when present (an empty list means "no devices")
 * @param engineLabels constraints on engine labels
 * @param slot         pins the app to one engine's slot
 * @param reschedule   whether the app may move when its engine is lost. Default true for every app, GPU apps too:
 *                     losing the app is worse than starting it elsewhere with a fresh data volume; an app whose
 *                     data must not be left behind sets false and waits for its engine.
 */
public record PlacementPolicy(String app, OptionalLong milliCores, OptionalLong memoryBytes,
                              Optional<List<DeviceAsk>> devices, List<Constraint> engineLabels, OptionalInt slot,
                              boolean reschedule) {

    public PlacementPolicy {
        Objects.requireNonNull(app, "app");
        milliCores = milliCores == null ? OptionalLong.empty() : milliCores;
        memoryBytes = memoryBytes == null ? OptionalLong.empty() : memoryBytes;
        devices = devices == null ? Optional.empty() : devices.map(List::copyOf);
        engineLabels = List.copyOf(engineLabels == null ? List.of() : engineLabels);
        slot = slot == null ? OptionalInt.empty() : slot;
    }

    /** A policy that changes nothing: AppAPI's defaults apply. */
    public static PlacementPolicy inherit(String app) {
        return new PlacementPolicy(app, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), List.of(),
                OptionalInt.empty(), true);
    }

    /** The requirement AppAPI's defaults give, with this policy's parts laid over them. */
    public Requirement over(Requirement defaults) {
        return new Requirement(app,
                milliCores.orElse(defaults.milliCores()),
                memoryBytes.orElse(defaults.memoryBytes()),
                devices.orElse(defaults.devices()),
                engineLabels.isEmpty() ? defaults.engineLabels() : engineLabels,
                slot.isPresent() ? slot : defaults.slot(),
                reschedule);
    }
}
