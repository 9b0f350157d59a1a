package io.lyre.scheduler.policy;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Range and sense checks on a policy, whether it came from JSON, a file or code. Messages name the field. */
public final class PolicyValidator {

    /** Docker refuses a memory limit under 6 MiB at create time; refusing here names the field instead. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;
    public static final int MAX_DEVICES_PER_ASK = 64;
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private PolicyValidator() {
    }

    public static List<String> validate(PlacementPolicy p) {
        List<String> errors = new ArrayList<>();
        if (!APP_ID.matcher(p.app()).matches()) {
            errors.add("app: must be an ExApp id (letters, digits, _ . -; at most 128), got '" + p.app() + "'");
        }
        p.milliCores().ifPresent(m -> {
            if (m <= 0) {
                errors.add("cores: must be > 0");
            }
        });
        p.memoryBytes().ifPresent(m -> {
            if (m < MIN_MEMORY) {
                errors.add("memory: must be >= 6 MiB (Docker's minimum), got " + m + " bytes");
            }
        });
        p.slot().ifPresent(s -> {
            if (s < Engine.FIRST_SLOT || s > Engine.LAST_SLOT) {
                errors.add("slot: must be within " + Engine.FIRST_SLOT + "-" + Engine.LAST_SLOT + ", got " + s);
            }
        });
        List<DeviceAsk> asks = p.devices().orElse(List.of());
        for (int i = 0; i < asks.size(); i++) {
            DeviceAsk ask = asks.get(i);
            String at = "devices[" + i + "]";
            if (ask.kind() == DeviceKind.CPU) {
                errors.add(at + ".kind: CPU is asked with 'cores', not as a device");
            }
            if (ask.count() < 1) {
                errors.add(at + ".count: must be >= 1");
            } else if (ask.count() > MAX_DEVICES_PER_ASK) {
                errors.add(at + ".count: must be <= " + MAX_DEVICES_PER_ASK);
            }
            if (ask.sharing().maxAppsPerDevice() < 1) {
                errors.add(at + ".sharing.maxApps: must be >= 1");
            }
            if (!ask.sharing().exclusive() && ask.count() > 1) {
                // Time-sharing several devices per app makes the count meaningless for packing; keep it simple.
                errors.add(at + ".sharing: a shared ask takes exactly one device (count is " + ask.count() + ")");
            }
            for (int j = 0; j < ask.affinities().size(); j++) {
                Affinity a = ask.affinities().get(j);
                if (a.weight() == 0 || a.weight() < -100 || a.weight() > 100) {
                    errors.add(at + ".affinities[" + j + "].weight: must be -100..100 and not 0, got " + a.weight());
                }
            }
        }
        return errors;
    }

    public static void check(PlacementPolicy p) {
        List<String> errors = validate(p);
        if (!errors.isEmpty()) {
            throw new PolicyValidationException(errors);
        }
    }
}
