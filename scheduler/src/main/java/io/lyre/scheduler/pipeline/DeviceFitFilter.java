package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every device ask must be served by free, healthy, matching devices on this engine; the chosen devices are kept
 * on the candidate for the scorers and the reservation. Asks are served in order and never share a device.
 */
public final class DeviceFitFilter implements EngineFilter {

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public FilterVerdict test(Requirement requirement, Candidate candidate) {
        List<DeviceAsk> asks = requirement.devices();
        if (asks.isEmpty()) {
            return FilterVerdict.PASS;
        }
        Set<String> taken = asks.size() == 1 ? Set.of() : new HashSet<>();
        List<List<SchedulableDevice>> chosen = new ArrayList<>(asks.size());
        for (DeviceAsk ask : asks) {
            List<SchedulableDevice> got = DeviceSelector.select(ask, candidate.engine(), candidate.usage(), taken);
            if (got == null) {
                Set<String> takenSoFar = Set.copyOf(taken);
                return FilterVerdict.refuse(() -> DeviceSelector.whyNot(ask, candidate.engine(), candidate.usage(), takenSoFar));
            }
            if (asks.size() > 1) {
                got.forEach(d -> taken.add(d.id()));
            }
            chosen.add(got);
        }
        candidate.choose(chosen);
        return FilterVerdict.PASS;
    }
}
