package io.lyre.bench;

import io.lyre.scheduler.Binder;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Packing quality: how many apps the scheduler places, in arrival order, before its first refusal, against a
 * first-fit-decreasing bound: the longest prefix of the same stream that FFD (offline: biggest asks first, each on the
 * first engine where it fits, same feasibility rules) can place entirely.
 */
public final class PackingQuality {

    public record Result(int placedBeforeFirstRefusal, int placedTotal, int ffdBound, double quality, String firstRefused) {
    }

    private PackingQuality() {
    }

    public static Result measure(List<Engine> engines, List<Requirement> stream) {
        long[] ids = {0};
        AllocationLedger ledger = new AllocationLedger();
        Scheduler online = new Scheduler(Scheduler.defaultFilters(), Scheduler.defaultScorers(), ledger, Binder.NONE,
                () -> Long.toString(ids[0]++));
        int firstRefusal = -1;
        int placed = 0;
        String firstRefused = "none";
        for (int i = 0; i < stream.size(); i++) {
            var outcome = online.schedule(stream.get(i), "q", engines);
            if (outcome.isPlaced()) {
                placed++;
            } else if (firstRefusal < 0) {
                firstRefusal = i;
                firstRefused = stream.get(i).describe() + " -- e.g. " + outcome.reasons().get(0);
            }
        }
        int before = firstRefusal < 0 ? stream.size() : firstRefusal;
        // Largest prefix FFD packs whole; FFD success is monotone enough in the prefix for a binary search.
        int lo = 0;
        int hi = stream.size();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (ffdPacks(engines, stream.subList(0, mid))) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return new Result(before, placed, lo, lo == 0 ? 1 : (double) before / lo, firstRefused);
    }

    static boolean ffdPacks(List<Engine> engines, List<Requirement> prefix) {
        long[] ids = {0};
        // No scorers: every feasible engine ties and the lowest slot wins, which is first fit.
        Scheduler firstFit = new Scheduler(Scheduler.defaultFilters(), List.of(), new AllocationLedger(), Binder.NONE,
                () -> Long.toString(ids[0]++));
        List<Requirement> sorted = new ArrayList<>(prefix);
        sorted.sort(DECREASING);
        for (Requirement r : sorted) {
            if (!firstFit.schedule(r, "ffd", engines).isPlaced()) {
                return false;
            }
        }
        return true;
    }

    /** Biggest first: exclusive devices, then constrained devices, then shared ones, then cores, then memory. */
    static final Comparator<Requirement> DECREASING = Comparator
            .comparingInt((Requirement r) -> exclusiveDevices(r)).reversed()
            .thenComparing(Comparator.comparingInt((Requirement r) -> constraints(r)).reversed())
            .thenComparing(Comparator.comparingInt((Requirement r) -> r.deviceCount()).reversed())
            .thenComparing(Comparator.comparingLong(Requirement::milliCores).reversed())
            .thenComparing(Comparator.comparingLong(Requirement::memoryBytes).reversed());

    private static int exclusiveDevices(Requirement r) {
        int n = 0;
        for (DeviceAsk a : r.devices()) {
            n += a.sharing().exclusive() ? a.count() : 0;
        }
        return n;
    }

    private static int constraints(Requirement r) {
        int n = 0;
        for (DeviceAsk a : r.devices()) {
            n += a.constraints().size();
        }
        return n;
    }
}
