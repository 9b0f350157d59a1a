package io.lyre.proxy.upstream;

import io.lyre.proxy.docker.ExAppPlacement;
import io.vertx.core.Future;

/**
 * Per app: traffic for a container on an engine the proxy reaches directly (its own host) goes to
 * {@code direct}; for a container on an agent's engine, through {@code tunnel}.
 */
public final class RoutingUpstream implements ExAppUpstream {
    private final ExAppUpstream direct;
    private final ExAppUpstream tunnel;

    public RoutingUpstream(ExAppUpstream direct, ExAppUpstream tunnel) {
        this.direct = direct;
        this.tunnel = tunnel;
    }

    @Override
    public Future<UpstreamResponse> send(UpstreamTarget target, UpstreamRequest request) {
        boolean remote = target.placement().map(ExAppPlacement::engine).map(e -> !e.reachableDirectly()).orElse(false);
        return (remote ? tunnel : direct).send(target, request);
    }
}
