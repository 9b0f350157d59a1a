package io.lyre.scheduler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code lyre explain <app>} shows: for each engine, the filter that refused it and why, or how each scorer
 * rated it. Engines are listed best first, refused ones last.
 */
public record Explanation(String app, String requirement, List<EngineReport> engines) {

    public Explanation {
        engines = List.copyOf(engines);
    }

    /**
     * One engine's line.
     *
     * @param refusedBy null when it passed every filter
     * @param scores    per scorer: raw score 0..100 (weights are in {@code weights})
     */
    public record EngineReport(String engineId, int slot, String refusedBy, String reason,
                               Map<String, Integer> scores, Map<String, Integer> weights, long total,
                               List<String> deviceIds) {

        public EngineReport {
            scores = scores == null ? Map.of() : new LinkedHashMap<>(scores);
            weights = weights == null ? Map.of() : new LinkedHashMap<>(weights);
            deviceIds = deviceIds == null ? List.of() : List.copyOf(deviceIds);
        }

        public boolean feasible() {
            return refusedBy == null;
        }
    }

    public List<EngineReport> feasible() {
        return engines.stream().filter(EngineReport::feasible).toList();
    }

    /** A plain-text table for the CLI. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("explain ").append(app).append(": ").append(requirement).append('\n');
        int width = 6;
        for (EngineReport e : engines) {
            width = Math.max(width, e.engineId().length());
        }
        String format = "  %-" + width + "s  %-5s  %s%n";
        out.append(String.format(format, "engine", "slot", "verdict"));
        int rank = 0;
        for (EngineReport e : engines) {
            String verdict;
            if (e.feasible()) {
                rank++;
                List<String> parts = new ArrayList<>();
                e.scores().forEach((name, score) -> parts.add(name + " " + score + "x" + e.weights().get(name)));
                verdict = (rank == 1 ? "BEST " : "") + "score " + e.total() + " (" + String.join(", ", parts) + ")"
                        + (e.deviceIds().isEmpty() ? "" : " devices " + String.join(",", e.deviceIds()));
            } else {
                verdict = "refused by " + e.refusedBy() + ": " + e.reason();
            }
            out.append(String.format(format, e.engineId(), e.slot(), verdict));
        }
        if (rank == 0) {
            out.append("  no engine can take ").append(app).append('\n');
        }
        return out.toString();
    }
}
