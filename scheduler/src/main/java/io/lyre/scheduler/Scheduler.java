package io.lyre.scheduler;

import io.lyre.devices.Device;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.ledger.DeviceClaim;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.SchedulableDevice;
import io.lyre.scheduler.pipeline.AffinityScorer;
import io.lyre.scheduler.pipeline.BinPackScorer;
import io.lyre.scheduler.pipeline.Candidate;
import io.lyre.scheduler.pipeline.ClusterFacts;
import io.lyre.scheduler.pipeline.CoresFilter;
import io.lyre.scheduler.pipeline.DeviceFitFilter;
import io.lyre.scheduler.pipeline.EngineFilter;
import io.lyre.scheduler.pipeline.EngineLabelFilter;
import io.lyre.scheduler.pipeline.EngineReadyFilter;
import io.lyre.scheduler.pipeline.FilterVerdict;
import io.lyre.scheduler.pipeline.MemoryFilter;
import io.lyre.scheduler.pipeline.SlotPinFilter;
import io.lyre.scheduler.pipeline.SpreadScorer;
import io.lyre.scheduler.pipeline.WeightedScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Places one app: filter every engine (cheap checks first), score the survivors, then reserve and bind the best,
 * falling back to the next one when the reservation races or the bind fails (Kubernetes' Filter/Score/Reserve/Bind;
 * Nomad's feasibility and rank iterators). With at most 99 engines every engine is scored; there is no sampling.
 * Thread-safe: many threads may schedule at once; the {@link AllocationLedger} arbitrates.
 */
public final class Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final List<EngineFilter> filters;
    private final List<WeightedScorer> scorers;
    private final AllocationLedger ledger;
    private final Binder binder;
    private final Supplier<String> placementIds;
    private volatile ClusterCache clusterCache = new ClusterCache(null, null);

    public Scheduler(List<EngineFilter> filters, List<WeightedScorer> scorers, AllocationLedger ledger, Binder binder,
                     Supplier<String> placementIds) {
        this.filters = List.copyOf(filters);
        this.scorers = List.copyOf(scorers);
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.binder = Objects.requireNonNull(binder, "binder");
        this.placementIds = Objects.requireNonNull(placementIds, "placementIds");
    }

    /**
     * The standard pipeline. Cores and memory are checked before devices although the design lists devices first:
     * they are two subtractions, and the device scan is the one check whose cost grows with the engine.
     */
    public static List<EngineFilter> defaultFilters() {
        return List.of(new EngineReadyFilter(), new SlotPinFilter(), new EngineLabelFilter(), new CoresFilter(),
                new MemoryFilter(), new DeviceFitFilter());
    }

    /** Bin-packing scarce devices dominates; spreading CPU and memory only breaks ties among equal device fits. */
    public static List<WeightedScorer> defaultScorers() {
        return List.of(new WeightedScorer(new BinPackScorer(), 5), new WeightedScorer(new SpreadScorer(), 1),
                new WeightedScorer(new AffinityScorer(), 2));
    }

    public static Scheduler standard(AllocationLedger ledger, Binder binder) {
        return new Scheduler(defaultFilters(), defaultScorers(), ledger, binder, () -> UUID.randomUUID().toString());
    }

    public AllocationLedger ledger() {
        return ledger;
    }

    public Binder binder() {
        return binder;
    }

    /** Places the app on the best engine that reserves and binds; never throws for an app that does not fit. */
    public PlacementOutcome schedule(Requirement requirement, String policyHash, Collection<Engine> engines) {
        ClusterFacts cluster = cluster(engines);
        List<Scored> feasible = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        Scored best = null;
        for (Engine engine : engines) {
            Candidate c = new Candidate(engine, ledger.usage(engine.id()), cluster);
            Refusal refusal = filter(requirement, c);
            if (refusal != null) {
                refusals.add(refusal);
                continue;
            }
            Scored s = new Scored(c, total(requirement, c));
            feasible.add(s);
            if (best == null || BETTER.compare(s, best) < 0) {
                best = s;
            }
        }
        List<String> bindFailures = new ArrayList<>();
        if (best != null) {
            Placement p = tryPlace(requirement, policyHash, best, bindFailures);
            if (p != null) {
                return PlacementOutcome.placed(p, bindFailures);
            }
            // The best one failed: fall back through the rest in rank order (rare, so sorting only now).
            feasible.remove(best);
            feasible.sort(BETTER);
            for (Scored s : feasible) {
                // Re-filter against the ledger as it is now: other threads may have reserved meanwhile.
                Candidate fresh = new Candidate(s.candidate.engine(), ledger.usage(s.candidate.engine().id()), cluster);
                Refusal r = filter(requirement, fresh);
                if (r != null) {
                    refusals.add(r);
                    continue;
                }
                p = tryPlace(requirement, policyHash, new Scored(fresh, s.total), bindFailures);
                if (p != null) {
                    return PlacementOutcome.placed(p, bindFailures);
                }
            }
        }
        boolean none = engines.isEmpty();
        return PlacementOutcome.refused(() -> {
            List<String> reasons = new ArrayList<>();
            if (none) {
                reasons.add("no engines are registered");
            }
            for (Refusal r : refusals) {
                reasons.add(r.engine.id() + ": " + r.filter + ": " + r.verdict.reason());
            }
            reasons.addAll(bindFailures);
            return reasons;
        });
    }

    /** For each engine: the filter that refused it and why, or its per-scorer scores; best first. Reserves nothing. */
    public Explanation explain(Requirement requirement, Collection<Engine> engines) {
        ClusterFacts cluster = cluster(engines);
        List<Explanation.EngineReport> fits = new ArrayList<>();
        List<Explanation.EngineReport> refused = new ArrayList<>();
        Map<String, Integer> weights = new LinkedHashMap<>();
        scorers.forEach(w -> weights.put(w.scorer().name(), w.weight()));
        for (Engine engine : engines) {
            Candidate c = new Candidate(engine, ledger.usage(engine.id()), cluster);
            Refusal r = filter(requirement, c);
            if (r != null) {
                refused.add(new Explanation.EngineReport(engine.id(), engine.slot(), r.filter, r.verdict.reason(),
                        null, null, 0, null));
                continue;
            }
            Map<String, Integer> scores = new LinkedHashMap<>();
            long total = 0;
            for (WeightedScorer w : scorers) {
                int s = w.scorer().score(requirement, c);
                scores.put(w.scorer().name(), s);
                total += (long) s * w.weight();
            }
            List<String> ids = new ArrayList<>();
            c.chosen().forEach(g -> g.forEach(d -> ids.add(d.id())));
            fits.add(new Explanation.EngineReport(engine.id(), engine.slot(), null, null, scores, weights, total, ids));
        }
        fits.sort(Comparator.comparingLong(Explanation.EngineReport::total).reversed()
                .thenComparingInt(Explanation.EngineReport::slot));
        List<Explanation.EngineReport> all = new ArrayList<>(fits);
        all.addAll(refused);
        return new Explanation(requirement.app(), requirement.describe(), all);
    }

    private Placement tryPlace(Requirement requirement, String policyHash, Scored s, List<String> bindFailures) {
        Engine engine = s.candidate.engine();
        Placement p = placement(requirement, policyHash, s.candidate);
        Optional<String> conflict = ledger.tryReserve(p.reservation(), engine);
        if (conflict.isPresent()) {
            bindFailures.add(engine.id() + ": reserve: " + conflict.get());
            return null;
        }
        try {
            binder.bind(p, engine);
            return p;
        } catch (BindException | RuntimeException e) {
            ledger.release(p.placementId());
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("bind of {} on {} failed, reservation released: {}", requirement.app(), engine.id(), why);
            bindFailures.add(engine.id() + ": bind: " + why);
            return null;
        }
    }

    private Placement placement(Requirement requirement, String policyHash, Candidate c) {
        List<Device> devices = new ArrayList<>();
        List<DeviceClaim> claims = new ArrayList<>();
        List<DeviceAsk> asks = requirement.devices();
        for (int i = 0; i < c.chosen().size(); i++) {
            int maxApps = asks.get(i).sharing().maxAppsPerDevice();
            for (SchedulableDevice d : c.chosen().get(i)) {
                devices.add(d.device());
                claims.add(new DeviceClaim(d.id(), maxApps));
            }
        }
        return new Placement(placementIds.get(), requirement.app(), c.engine().id(), c.engine().slot(), devices, claims,
                requirement.milliCores(), requirement.memoryBytes(), policyHash);
    }

    private Refusal filter(Requirement requirement, Candidate c) {
        for (int i = 0; i < filters.size(); i++) {
            EngineFilter f = filters.get(i);
            FilterVerdict v = f.test(requirement, c);
            if (!v.passed()) {
                return new Refusal(c.engine(), f.name(), v);
            }
        }
        return null;
    }

    private long total(Requirement requirement, Candidate c) {
        long total = 0;
        for (int i = 0; i < scorers.size(); i++) {
            WeightedScorer w = scorers.get(i);
            total += (long) w.scorer().score(requirement, c) * w.weight();
        }
        return total;
    }

    // Engine sets are usually the same collection call after call; recompute the cluster facts only when it changes.
    private ClusterFacts cluster(Collection<Engine> engines) {
        ClusterCache cache = clusterCache;
        if (cache.engines != engines) {
            cache = new ClusterCache(engines, ClusterFacts.of(engines));
            clusterCache = cache;
        }
        return cache.facts;
    }

    /** Highest total first; ties go to the lower slot, so equal engines fill in a stable order (first fit). */
    private static final Comparator<Scored> BETTER = Comparator.comparingLong((Scored s) -> -s.total)
            .thenComparingInt(s -> s.candidate.engine().slot());

    private record Scored(Candidate candidate, long total) {
    }

    private record Refusal(Engine engine, String filter, FilterVerdict verdict) {
    }

    private record ClusterCache(Collection<Engine> engines, ClusterFacts facts) {
    }
}
