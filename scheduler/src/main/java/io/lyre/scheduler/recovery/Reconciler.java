package io.lyre.scheduler.recovery;

import io.lyre.scheduler.docker.PlacementLabels;
import io.lyre.scheduler.store.PlacementState;
import io.lyre.scheduler.store.StoredPlacement;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the store says about one engine with the Lyre-labelled containers that engine reports, on startup
 * and whenever its agent reconnects. The store is the truth where it has an answer; the labels fill in where it has
 * none. Containers without {@link PlacementLabels#APP} are not Lyre's and are left alone. Pure: it plans, the caller
 * (the proxy, through the tunnel) carries the actions out.
 */
public final class Reconciler {

    private Reconciler() {
    }

    /**
     * @param engineId   the engine whose containers these are
     * @param store      every stored placement (all engines: a container's app may be placed elsewhere)
     * @param containers the engine's containers
     */
    public static List<ReconcileAction> plan(String engineId, List<StoredPlacement> store, List<EngineContainer> containers,
                                             Instant now) {
        Map<String, StoredPlacement> byApp = new HashMap<>();
        store.forEach(p -> byApp.put(p.app(), p));
        List<ReconcileAction> actions = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (EngineContainer c : containers) {
            String app = c.labels().get(PlacementLabels.APP);
            if (app == null || app.isBlank()) {
                continue;
            }
            String placementId = c.labels().getOrDefault(PlacementLabels.PLACEMENT_ID, "");
            StoredPlacement known = byApp.get(app);
            if (known == null) {
                if (present.add(app)) {
                    actions.add(new ReconcileAction.Adopt(fromLabels(engineId, c, now), c.id()));
                } else {
                    actions.add(new ReconcileAction.RemoveStale(c.id(), app, "second container of " + app + " on " + engineId));
                }
            } else if (!known.engineId().equals(engineId)) {
                actions.add(new ReconcileAction.RemoveStale(c.id(), app, "store places " + app + " on " + known.engineId()));
            } else if (!known.placementId().equals(placementId)) {
                actions.add(new ReconcileAction.RemoveStale(c.id(), app,
                        "container carries placement " + placementId + ", store has " + known.placementId()));
            } else {
                present.add(app);
            }
        }
        for (StoredPlacement p : store) {
            if (p.engineId().equals(engineId) && !present.contains(p.app())) {
                actions.add(new ReconcileAction.Replace(p, "no container of " + p.app() + " on " + engineId));
            }
        }
        return actions;
    }

    /** The placement a labelled container records; the engine is the one it was found on, whatever the label says. */
    static StoredPlacement fromLabels(String engineId, EngineContainer c, Instant now) {
        Map<String, String> l = c.labels();
        String id = l.getOrDefault(PlacementLabels.PLACEMENT_ID, "");
        return new StoredPlacement(id.isBlank() ? "adopted-" + c.id() : id, l.get(PlacementLabels.APP), engineId,
                PlacementLabels.claims(l), number(l.get(PlacementLabels.MILLI_CORES)), number(l.get(PlacementLabels.MEMORY_BYTES)),
                l.getOrDefault(PlacementLabels.POLICY_HASH, ""), PlacementState.BOUND, now, now);
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
