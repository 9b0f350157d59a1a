package io.lyre.proxy.docker;

import java.util.List;
import java.util.Optional;

/** Picks an engine among the ready ones; the scheduler module replaces the first-fit choice. */
public interface PlacementChooser {
    Optional<Engine> choose(PlacementAsk ask, List<Engine> readyEngines);
}
