package io.lyre.scheduler.docker;

import io.lyre.scheduler.Placement;
import io.lyre.scheduler.ledger.DeviceClaim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The container labels that record a placement. They are enough to rebuild the store from the engines: a
 * reconcile after the store was lost adopts what these labels say.
 */
public final class PlacementLabels {

    public static final String APP = "io.lyre.app";
    public static final String ENGINE = "io.lyre.engine";
    /** Comma-separated device ids, in ask order. */
    public static final String DEVICES = "io.lyre.devices";
    /** Comma-separated sharing limits, one per device in {@link #DEVICES} (1 = exclusive). */
    public static final String DEVICE_SHARING = "io.lyre.device-sharing";
    public static final String POLICY_HASH = "io.lyre.policy-hash";
    public static final String PLACEMENT_ID = "io.lyre.placement-id";
    public static final String MILLI_CORES = "io.lyre.milli-cores";
    public static final String MEMORY_BYTES = "io.lyre.memory-bytes";

    private PlacementLabels() {
    }

    public static Map<String, String> of(Placement p) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(APP, p.app());
        labels.put(ENGINE, p.engineId());
        labels.put(DEVICES, String.join(",", p.deviceIds()));
        labels.put(DEVICE_SHARING, p.claims().stream().map(c -> Integer.toString(c.maxApps())).collect(Collectors.joining(",")));
        labels.put(POLICY_HASH, p.policyHash());
        labels.put(PLACEMENT_ID, p.placementId());
        labels.put(MILLI_CORES, Long.toString(p.milliCores()));
        labels.put(MEMORY_BYTES, Long.toString(p.memoryBytes()));
        return labels;
    }

    /** Device claims back from labels; a missing or short sharing list reads as exclusive. */
    public static java.util.List<DeviceClaim> claims(Map<String, String> labels) {
        String ids = labels.getOrDefault(DEVICES, "");
        if (ids.isBlank()) {
            return java.util.List.of();
        }
        String[] idList = ids.split(",");
        String[] limits = labels.getOrDefault(DEVICE_SHARING, "").split(",");
        java.util.List<DeviceClaim> out = new java.util.ArrayList<>();
        for (int i = 0; i < idList.length; i++) {
            int limit = 1;
            if (i < limits.length) {
                try {
                    limit = Math.max(1, Integer.parseInt(limits[i].trim()));
                } catch (NumberFormatException ignored) {
                    // a hand-edited label: exclusive is the safe reading
                }
            }
            out.add(new DeviceClaim(idList[i].trim(), limit));
        }
        return out;
    }
}
