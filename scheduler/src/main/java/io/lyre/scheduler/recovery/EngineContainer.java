package io.lyre.scheduler.recovery;

import java.util.Map;

/** A container as the engine lists it (docker ps -a with labels), reduced to what reconcile reads. */
public record EngineContainer(String id, String name, Map<String, String> labels, String state) {

    public EngineContainer {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
