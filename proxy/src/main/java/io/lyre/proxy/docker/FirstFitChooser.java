package io.lyre.proxy.docker;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Until the scheduler lands: the ready engine with the lowest slot. It knows nothing of devices. */
public final class FirstFitChooser implements PlacementChooser {
    @Override
    public Optional<Engine> choose(PlacementAsk ask, List<Engine> readyEngines) {
        return readyEngines.stream().min(Comparator.comparingInt(Engine::slot));
    }
}
