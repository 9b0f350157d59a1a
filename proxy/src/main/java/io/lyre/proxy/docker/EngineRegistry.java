package io.lyre.proxy.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** The live {@link EngineDirectory}: engines join (local at startup, agents when their tunnel says hello) and leave. */
public final class EngineRegistry implements EngineDirectory {
    private final Map<Integer, Engine> bySlot = new ConcurrentSkipListMap<>();
    private final PlacementChooser chooser;

    public EngineRegistry(PlacementChooser chooser) {
        this.chooser = chooser;
    }

    /** Adds or replaces the engine of a slot; returns the engine it replaced, if any. */
    public Optional<Engine> register(Engine engine) {
        return Optional.ofNullable(bySlot.put(engine.slot(), engine));
    }

    public void unregister(Engine engine) {
        bySlot.remove(engine.slot(), engine);
    }

    @Override
    public Optional<Engine> bySlot(int slot) {
        if (slot == SCHEDULER_CHOOSES && bySlot.size() == 1) {
            // HaRP's bundled engine answers 24000; with a single engine, so does Lyre's
            return bySlot.values().stream().findFirst();
        }
        return Optional.ofNullable(bySlot.get(slot));
    }

    @Override
    public Engine chooseFor(PlacementAsk ask) {
        List<Engine> ready = bySlot.values().stream().filter(Engine::ready).toList();
        return chooser.choose(ask, ready).orElseThrow(() -> new NoEngineAvailableException(
                ready.isEmpty() ? "no Docker engine is ready" : "no ready Docker engine fits " + ask));
    }

    @Override
    public List<Engine> engines() {
        return List.copyOf(bySlot.values());
    }
}
