package io.lyre.proxy;

import io.lyre.proxy.config.InvalidSettingException;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.admin.AdminApi;
import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.metrics.ProxyMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * The Quarkus application: reads HaRP's environment, registers the local Docker engine, and opens the front
 * door. Quarkus's own HTTP port serves only /q/* (management); AppAPI and ExApp traffic use HP_EXAPPS_ADDRESS.
 */
@ApplicationScoped
public class LyreProxy {
    private static final Logger LOG = Logger.getLogger(LyreProxy.class);
    /** Read from the environment (or, in tests, from Quarkus config with the same names). */
    static final List<String> SETTINGS = List.of("HP_SHARED_KEY", "HP_SHARED_KEY_FILE", "NC_INSTANCE_URL",
            "HP_EXAPPS_ADDRESS", "HP_EXAPPS_HTTPS_ADDRESS", "HP_TIMEOUT_CONNECT", "HP_TIMEOUT_CLIENT", "HP_TIMEOUT_SERVER",
            "HP_TIMEOUT_TUNNEL", "HP_TRUSTED_PROXY_IPS", "HP_BLACKLIST_COUNT", "HP_BLACKLIST_WINDOW", "HP_SESSION_LIFETIME",
            "HP_LOG_LEVEL", "LYRE_TLS_CERT", "LYRE_TLS_KEY", "LYRE_LOCAL_DOCKER", "LYRE_LOCAL_DOCKER_SLOT",
            "LYRE_DOCKER_TIMEOUT", "LYRE_MAX_HEADER_SIZE", "LYRE_TUNNEL_ADDRESS", "LYRE_DATA_DIR", "LYRE_AGENT_GRACE",
            "LYRE_STORE_URL", "LYRE_STORE_USER", "LYRE_STORE_PASSWORD", "LYRE_POLICIES", "LYRE_TUNNEL_RECEIVE_BUDGET_MIB");

    private volatile ProxyCore core;
    private volatile ProxyMetrics metrics;
    private long metricsRefresh = -1;

    @Produces
    @Singleton
    EngineRegistry engines() {
        return core.engines();
    }

    @Produces
    @Singleton
    ExAppPlacements placements() {
        return core.placements();
    }

    /** The admin API on Quarkus's own HTTP server: the management port, never the public front door. */
    void routes(@Observes Router router, Vertx vertx) {
        new AdminApi(vertx, () -> core).mount(router);
    }

    void start(@Observes StartupEvent event, Vertx vertx, MeterRegistry registry) throws Exception {
        ProxyConfig config;
        LyreSettings lyre;
        Map<String, String> env = settings();
        try {
            config = ProxyConfig.fromEnv(env);
            lyre = LyreSettings.fromEnv(env);
        } catch (InvalidSettingException e) {
            LOG.errorf("invalid configuration: %s", e.getMessage());
            throw e; // Quarkus stops with this message
        }
        config.warnings().forEach(LOG::warn);
        applyLogLevel(config.logLevel());
        LOG.infof("starting with %s; %s", config, lyre);
        metrics = new ProxyMetrics(registry);
        core = new ProxyCore(vertx, config, lyre, metrics, metrics, metrics).start();
        metrics.bind(core);
        // new agents, engines and devices show in the fleet gauges within a few seconds
        metricsRefresh = vertx.setPeriodic(5_000, id -> vertx.executeBlocking(() -> {
            metrics.refresh();
            return null;
        }, false));
    }

    void stop(@Observes ShutdownEvent event, Vertx vertx) throws Exception {
        vertx.cancelTimer(metricsRefresh);
        if (core != null) {
            core.close();
        }
    }

    public FrontDoorServer server() {
        return core.server();
    }

    public ProxyCore core() {
        return core;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    private static Map<String, String> settings() {
        Config config = ConfigProvider.getConfig();
        Map<String, String> env = new HashMap<>();
        for (String name : SETTINGS) {
            config.getOptionalValue(name, String.class).ifPresent(v -> env.put(name, v));
        }
        return env;
    }

    private static void applyLogLevel(String level) {
        Level l = switch (level) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "error" -> Level.SEVERE;
            default -> Level.WARNING;
        };
        java.util.logging.Logger.getLogger("io.lyre").setLevel(l);
    }
}
