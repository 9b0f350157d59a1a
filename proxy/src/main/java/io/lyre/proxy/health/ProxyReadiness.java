package io.lyre.proxy.health;

import io.lyre.proxy.LyreProxy;
import io.lyre.proxy.ProxyCore;
import io.lyre.proxy.docker.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the front door and the tunnel listen. Engines are reported, not required: a proxy with no
 * agent yet still answers AppAPI (with 503 for deploys), and restarting it would not bring one.
 */
@Readiness
@ApplicationScoped
public class ProxyReadiness implements HealthCheck {

    @Inject
    LyreProxy proxy;

    @Override
    public HealthCheckResponse call() {
        ProxyCore core = proxy.core();
        if (core == null) {
            return HealthCheckResponse.named("lyre-proxy").down().withData("reason", "starting").build();
        }
        long ready = core.engines().engines().stream().filter(Engine::ready).count();
        return HealthCheckResponse.named("lyre-proxy").up()
                .withData("tunnel", core.tunnel().map(t -> "port " + t.server().port()).orElse("off"))
                .withData("engines_ready", ready)
                .build();
    }
}
