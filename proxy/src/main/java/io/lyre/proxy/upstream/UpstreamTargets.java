package io.lyre.proxy.upstream;

import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerReply;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.EngineDirectory;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.exapp.ExAppMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides where an ExApp's traffic goes. AppAPI's metadata says 127.0.0.1:APP_PORT (its FRP picture), but Lyre
 * created the container without FRP: when the placement is known and the engine is the proxy's own, the
 * container's address on its Docker network is used; otherwise the metadata host. After a restart the
 * placement is rediscovered from the engines (container nc_app_&lt;app&gt;).
 */
public final class UpstreamTargets {
    private static final long ADDRESS_TTL_NANOS = 30_000_000_000L;

    private record Cached(Optional<String> host, long expiresAt) {
    }

    private final Vertx vertx;
    private final ExAppPlacements placements;
    private final EngineDirectory engines;
    private final Map<String, Cached> addresses = new ConcurrentHashMap<>();
    private final Map<String, Future<Optional<String>>> lookups = new ConcurrentHashMap<>();

    public UpstreamTargets(Vertx vertx, ExAppPlacements placements, EngineDirectory engines) {
        this.vertx = vertx;
        this.placements = placements;
        this.engines = engines;
    }

    public Future<UpstreamTarget> resolve(String appId, ExAppMetadata meta) {
        String key = appId.toLowerCase(Locale.ROOT);
        Cached c = addresses.get(key);
        Optional<ExAppPlacement> placement = placements.find(appId);
        if (c != null && System.nanoTime() - c.expiresAt < 0) {
            return Future.succeededFuture(target(appId, placement, c.host, meta));
        }
        // One look-up per app at a time: a burst after expiry must not queue one blocking inspect per request.
        Future<Optional<String>> lookup = lookups.computeIfAbsent(key, k -> vertx.<Optional<String>>executeBlocking(
                () -> lookUp(appId, placement), false).onComplete(ar -> lookups.remove(k)));
        return lookup.transform(ar -> {
            Optional<String> found;
            if (ar.succeeded()) {
                found = ar.result();
                // an unknown address (container stopped, not created yet) is retried soon
                long ttl = found.isPresent() ? ADDRESS_TTL_NANOS : 2_000_000_000L;
                addresses.put(key, new Cached(found, System.nanoTime() + ttl));
            } else if (c != null && c.host().isPresent()) {
                // the engine did not answer the refresh (a busy tunnel): the last known address beats a 503
                found = c.host();
                addresses.put(key, new Cached(found, System.nanoTime() + 2_000_000_000L));
            } else {
                return Future.failedFuture(ar.cause());
            }
            return Future.succeededFuture(target(appId, placements.find(appId), found, meta));
        });
    }

    /** Forget a cached address, e.g. after the container could not be reached. */
    public void forget(String appId) {
        // expire it, but keep the address as the fallback should the engine not answer the refresh
        addresses.computeIfPresent(appId.toLowerCase(Locale.ROOT), (k, v) -> new Cached(v.host(), System.nanoTime()));
    }

    private static UpstreamTarget target(String appId, Optional<ExAppPlacement> placement, Optional<String> host, ExAppMetadata meta) {
        return new UpstreamTarget(appId, placement, host.orElse(meta.host()), meta.port());
    }

    /** Blocking: the container's address, from the recorded placement or by asking the engines. */
    private Optional<String> lookUp(String appId, Optional<ExAppPlacement> placement) {
        if (placement.isPresent()) {
            Engine e = placement.get().engine();
            // a tunnel engine's container is reached by its agent, at the same address on its Docker network
            return address(e, placement.get().containerName());
        }
        String container = "nc_app_" + appId;
        for (Engine e : engines.engines()) {
            if (!e.ready()) {
                continue;
            }
            try {
                Optional<String> found = address(e, container);
                if (found.isPresent()) {
                    placements.record(new ExAppPlacement(appId, e, container));
                    return found;
                }
            } catch (RuntimeException ignored) {
                // an engine that does not answer cannot hold the app we can reach
            }
        }
        return Optional.empty();
    }

    private static Optional<String> address(Engine engine, String container) {
        DockerReply r = new DockerEngineApi(engine).get("/containers/" + container + "/json");
        if (!r.ok()) {
            return Optional.empty();
        }
        JsonObject json = r.json();
        JsonObject hostConfig = json.getJsonObject("HostConfig", new JsonObject());
        if ("host".equals(hostConfig.getString("NetworkMode"))) {
            return Optional.of("127.0.0.1");
        }
        JsonObject settings = json.getJsonObject("NetworkSettings", new JsonObject());
        JsonObject networks = settings.getJsonObject("Networks", new JsonObject());
        for (String name : networks.fieldNames()) {
            String ip = networks.getJsonObject(name, new JsonObject()).getString("IPAddress");
            if (ip != null && !ip.isEmpty()) {
                return Optional.of(ip);
            }
        }
        String ip = settings.getString("IPAddress");
        return ip == null || ip.isEmpty() ? Optional.empty() : Optional.of(ip);
    }
}
