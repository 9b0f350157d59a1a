package io.lyre.scheduler;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The result of one scheduling call: a bound placement, or the reasons no engine took the app
 * (each "engine: filter: why", then any bind failures). The reasons are formatted on first read: a refusal
 * names up to 99 engines, and callers that only count refusals (benchmarks, retries) never read them.
 */
public final class PlacementOutcome {

    private final Placement placement;
    private Supplier<List<String>> reasonSource;
    private List<String> reasons;

    private PlacementOutcome(Placement placement, Supplier<List<String>> reasons) {
        this.placement = placement;
        this.reasonSource = reasons;
    }

    public static PlacementOutcome placed(Placement p, List<String> bindFailures) {
        List<String> copy = List.copyOf(bindFailures);
        return new PlacementOutcome(p, () -> copy);
    }

    public static PlacementOutcome refused(Supplier<List<String>> reasons) {
        return new PlacementOutcome(null, reasons);
    }

    public static PlacementOutcome refused(List<String> reasons) {
        List<String> copy = List.copyOf(reasons);
        return new PlacementOutcome(null, () -> copy);
    }

    public boolean isPlaced() {
        return placement != null;
    }

    /** The placement, or null when refused. */
    public Placement placement() {
        return placement;
    }

    public Optional<Placement> asOptional() {
        return Optional.ofNullable(placement);
    }

    /** Refusal reasons, or the bind failures that preceded a success. */
    public synchronized List<String> reasons() {
        if (reasons == null) {
            reasons = List.copyOf(reasonSource.get());
            reasonSource = null;
        }
        return reasons;
    }

    /** One line for logs and error bodies. */
    public String summary() {
        return isPlaced() ? "placed " + placement : "not placed: " + String.join("; ", reasons());
    }

    @Override
    public String toString() {
        return summary();
    }
}
