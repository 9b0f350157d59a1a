package io.lyre.proxy.docker;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * app -> engine + container, recorded by create and forgotten by remove. In memory for now (the scheduler's
 * store takes over); containers carry io.lyre.* labels so the map can be rebuilt from the engines.
 */
public final class ExAppPlacements {
    private final Map<String, ExAppPlacement> byApp = new ConcurrentHashMap<>();

    private static String key(String appId) {
        return appId.toLowerCase(Locale.ROOT);
    }

    public void record(ExAppPlacement placement) {
        byApp.put(key(placement.appId()), placement);
    }

    public Optional<ExAppPlacement> find(String appId) {
        return Optional.ofNullable(byApp.get(key(appId)));
    }

    public void forget(String appId) {
        byApp.remove(key(appId));
    }

    public Collection<ExAppPlacement> all() {
        return byApp.values();
    }
}
