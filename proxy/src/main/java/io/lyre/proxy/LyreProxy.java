package io.lyre.proxy;

import io.lyre.proxy.config.InvalidSettingException;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.FirstFitChooser;
import io.lyre.proxy.docker.LocalDockerEngine;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            "LYRE_DOCKER_TIMEOUT", "LYRE_MAX_HEADER_SIZE");

    private final EngineRegistry engines = new EngineRegistry(new FirstFitChooser());
    private final ExAppPlacements placements = new ExAppPlacements();
    private FrontDoorServer server;
    private LocalDockerEngine local;

    @Produces
    @Singleton
    EngineRegistry engines() {
        return engines;
    }

    @Produces
    @Singleton
    ExAppPlacements placements() {
        return placements;
    }

    void start(@Observes StartupEvent event, Vertx vertx) throws Exception {
        ProxyConfig config;
        try {
            config = ProxyConfig.fromEnv(settings());
        } catch (InvalidSettingException e) {
            LOG.errorf("invalid configuration: %s", e.getMessage());
            throw e; // Quarkus stops with this message
        }
        config.warnings().forEach(LOG::warn);
        applyLogLevel(config.logLevel());
        LOG.infof("starting with %s", config);
        if (config.localDocker().isPresent()) {
            String host = config.localDocker().get();
            if (host.startsWith("unix://") && !Files.exists(Path.of(host.substring("unix://".length())))) {
                LOG.warnf("LYRE_LOCAL_DOCKER %s does not exist: no local Docker engine", host);
            } else {
                local = new LocalDockerEngine(host, config.localDockerSlot(), config.timeouts().connect(), config.dockerTimeout());
                engines.register(local);
                LOG.infof("local Docker engine %s on slot %d", host, config.localDockerSlot());
            }
        }
        server = new FrontDoorServer(vertx, config, engines, placements, Optional.empty());
        server.start().toCompletionStage().toCompletableFuture().get();
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get();
        }
        if (local != null) {
            local.close();
        }
    }

    public FrontDoorServer server() {
        return server;
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
