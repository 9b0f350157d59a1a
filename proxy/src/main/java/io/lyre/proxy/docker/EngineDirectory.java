package io.lyre.proxy.docker;

import java.util.List;
import java.util.Optional;

/**
 * The Docker engines the proxy knows. The tunnel adds its agents' engines here; the local engine is one too.
 */
public interface EngineDirectory {
    /** docker-engine-port 24000: "let the scheduler choose". */
    int SCHEDULER_CHOOSES = 24000;

    /** The engine holding this slot (24001-24099), whatever its state; empty when no engine holds it. */
    Optional<Engine> bySlot(int slot);

    /**
     * The engine an app should run on when AppAPI leaves the choice to Lyre (slot 24000).
     *
     * @throws NoEngineAvailableException when no ready engine fits
     */
    Engine chooseFor(PlacementAsk ask);

    /** Every known engine, ready or not. */
    List<Engine> engines();
}
