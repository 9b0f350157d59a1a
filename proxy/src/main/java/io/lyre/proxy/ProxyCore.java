package io.lyre.proxy;

import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.FirstFitChooser;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.lyre.proxy.sched.SchedulingService;
import io.lyre.proxy.tunnel.TunnelEngine;
import io.lyre.proxy.tunnel.TunnelHost;
import io.lyre.scheduler.policy.PolicyFileLoader;
import io.lyre.scheduler.store.JdbcPlacementStore;
import io.lyre.scheduler.store.PlacementStore;
import io.lyre.tunnel.TransportLoops;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.TunnelTraffic;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The whole proxy as one plain object: engines (the local one and the agents' through the embedded tunnel
 * server), the scheduler with its store, and the front door. The Quarkus app ({@link LyreProxy}) runs one;
 * tests start and stop their own.
 */
public final class ProxyCore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProxyCore.class);

    private final Vertx vertx;
    private final ProxyConfig config;
    private final LyreSettings settings;
    private final EngineRegistry engines = new EngineRegistry(new FirstFitChooser());
    private final ExAppPlacements placements = new ExAppPlacements();
    private final SchedulingMetrics schedulingMetrics;
    private final FrontDoorMetrics frontDoorMetrics;
    private final TunnelTraffic tunnelTraffic;
    private SchedulingService scheduling;
    private TunnelHost tunnel;
    private LocalDockerEngine local;
    private FrontDoorServer server;

    public ProxyCore(Vertx vertx, ProxyConfig config, LyreSettings settings, SchedulingMetrics schedulingMetrics,
                     FrontDoorMetrics frontDoorMetrics) {
        this(vertx, config, settings, schedulingMetrics, frontDoorMetrics, TunnelTraffic.NONE);
    }

    public ProxyCore(Vertx vertx, ProxyConfig config, LyreSettings settings, SchedulingMetrics schedulingMetrics,
                     FrontDoorMetrics frontDoorMetrics, TunnelTraffic tunnelTraffic) {
        this.tunnelTraffic = tunnelTraffic;
        this.vertx = vertx;
        this.config = config;
        this.settings = settings;
        this.schedulingMetrics = schedulingMetrics;
        this.frontDoorMetrics = frontDoorMetrics;
    }

    public ProxyCore start() throws Exception {
        Path dataDir = settings.dataDir();
        Files.createDirectories(dataDir);
        PlacementStore store = settings.storeUrl()
                .map(url -> (PlacementStore) JdbcPlacementStore.open(url, settings.storeUser().orElse(null), settings.storePassword().orElse(null)))
                .orElseGet(() -> JdbcPlacementStore.h2(dataDir));
        scheduling = new SchedulingService(store, engines, placements, schedulingMetrics);
        if (settings.policies().isPresent()) {
            Path file = settings.policies().get();
            try {
                // all or nothing: a bad file stops the start with the file, the policy and the field named
                int n = PolicyFileLoader.load(file, scheduling.policies());
                LOG.infof("loaded %d placement policies from %s", n, file);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("LYRE_POLICIES " + file + ": " + e.getMessage(), e);
            }
        }
        if (config.localDocker().isPresent()) {
            String host = config.localDocker().get();
            if (host.startsWith("unix://") && !Files.exists(Path.of(host.substring("unix://".length())))) {
                LOG.warnf("LYRE_LOCAL_DOCKER %s does not exist: no local Docker engine", host);
            } else {
                local = new LocalDockerEngine(host, config.localDockerSlot(), config.timeouts().connect(), config.dockerTimeout());
                engines.register(local);
                LOG.infof("local Docker engine %s on slot %d", host, config.localDockerSlot());
                vertx.executeBlocking(() -> reconcile(local), false);
            }
        }
        if (settings.tunnelAddress().isPresent()) {
            var address = settings.tunnelAddress().get();
            TunnelServerConfig defaults = TunnelServerConfig.defaults(dataDir.resolve("tunnel"));
            TunnelServerConfig tc = defaults.withBind(address.host(), address.port())
                    .withLostGrace(settings.agentGrace()).withBlacklist(config.blacklistCount(), config.blacklistWindow())
                    .withReceiveBudget(settings.receiveBudgetBytes().orElse(defaults.receiveBudgetBytes()));
            tunnel = new TunnelHost(tc, engines, config.dockerTimeout());
            tunnel.server().traffic(tunnelTraffic);
            tunnel.server().refusals().onBlocked(a -> frontDoorMetrics.banned("tunnel"));
            tunnel.addListener(new TunnelHost.EngineEvents() {
                @Override
                public void ready(TunnelEngine engine) {
                    reconcile(engine);
                }

                @Override
                public void lost(TunnelEngine engine) {
                    var report = scheduling.engineLost(engine.id());
                    LOG.infof("engine %s lost: moved %s, kept %s, failed %s", engine.name(), report.moved(), report.kept(), report.failed());
                }

            });
            // Agents' connections run on the front door's event loops: a frame and the HTTP write it causes share
            // a thread whenever the client's connection and the agent's are on the same loop.
            tunnel.server().eventLoops(TransportLoops.of(vertx.nettyEventLoopGroup()));
            tunnel.start();
        }
        server = new FrontDoorServer(vertx, config, engines, placements, Optional.empty(), Optional.of(scheduling), frontDoorMetrics);
        server.start().toCompletionStage().toCompletableFuture().get();
        return this;
    }

    private Void reconcile(Engine engine) {
        try {
            scheduling.reconcile(engine);
        } catch (RuntimeException e) {
            LOG.warnf("reconcile of %s failed: %s", engine, e.getMessage());
        }
        return null;
    }

    public EngineRegistry engines() {
        return engines;
    }

    public ExAppPlacements placements() {
        return placements;
    }

    public SchedulingService scheduling() {
        return scheduling;
    }

    /** The embedded tunnel server's host; empty when LYRE_TUNNEL_ADDRESS is off. */
    public Optional<TunnelHost> tunnel() {
        return Optional.ofNullable(tunnel);
    }

    public FrontDoorServer server() {
        return server;
    }

    public ProxyConfig config() {
        return config;
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get();
        }
        if (tunnel != null) {
            tunnel.close();
        }
        if (local != null) {
            local.close();
        }
        if (scheduling != null) {
            scheduling.close();
        }
    }
}
