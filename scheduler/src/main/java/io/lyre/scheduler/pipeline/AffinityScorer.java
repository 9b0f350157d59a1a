package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.List;

/**
 * Nomad's device affinity score: the weight of satisfied affinities over the sum of all weights' magnitudes,
 * averaged over the chosen devices, mapped from -1..1 to 0..100 (50 = indifferent). An app without affinities
 * scores 0 everywhere, which changes no ranking.
 */
public final class AffinityScorer implements EngineScorer {

    @Override
    public String name() {
        return "affinity";
    }

    @Override
    public int score(Requirement requirement, Candidate candidate) {
        double satisfied = 0;
        double magnitude = 0;
        List<DeviceAsk> asks = requirement.devices();
        for (int i = 0; i < asks.size(); i++) {
            DeviceAsk ask = asks.get(i);
            if (ask.affinities().isEmpty() || i >= candidate.chosen().size()) {
                continue;
            }
            List<SchedulableDevice> chosen = candidate.chosen().get(i);
            for (Affinity a : ask.affinities()) {
                magnitude += Math.abs(a.weight());
                int hits = 0;
                for (SchedulableDevice d : chosen) {
                    if (a.when().test(d.fact(a.when().field()))) {
                        hits++;
                    }
                }
                satisfied += chosen.isEmpty() ? 0 : a.weight() * (double) hits / chosen.size();
            }
        }
        if (magnitude == 0) {
            return 0;
        }
        return EngineScorer.clamp(50 + 50 * satisfied / magnitude);
    }
}
