package io.lyre.proxy;

import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.control.ControlApi;
import io.lyre.proxy.control.DockerExAppOps;
import io.lyre.proxy.control.DockerPassthrough;
import io.lyre.proxy.docker.DockerApiVersions;
import io.lyre.proxy.docker.EngineDirectory;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.exapp.ExAppMetadataCache;
import io.lyre.proxy.exapp.SessionCache;
import io.lyre.proxy.nextcloud.NextcloudClient;
import io.lyre.proxy.security.BruteForceGuard;
import io.lyre.proxy.sched.SchedulingService;
import io.lyre.proxy.tunnel.TunnelUpstream;
import io.lyre.proxy.upstream.DirectUpstream;
import io.lyre.proxy.upstream.RoutingUpstream;
import io.lyre.proxy.upstream.ExAppUpstream;
import io.lyre.proxy.upstream.UpstreamTargets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The front door's listeners (HP_EXAPPS_ADDRESS, and HP_EXAPPS_HTTPS_ADDRESS when a certificate is given) and
 * everything behind them, wired from a {@link ProxyConfig}. Plain Vert.x, so tests can start one per case.
 */
public final class FrontDoorServer {
    private static final Logger LOG = Logger.getLogger(FrontDoorServer.class);

    private final Vertx vertx;
    private final ProxyConfig config;
    private final NextcloudClient nextcloud;
    private final DirectUpstream direct;
    private final BruteForceGuard guard;
    private final ExAppMetadataCache metadata;
    private final SessionCache sessions;
    private final FrontDoor frontDoor;
    private final List<HttpServer> servers = new ArrayList<>();
    /** Distinct negative ports for listeners asked to bind port 0 (see {@link #listen}). */
    private static final java.util.concurrent.atomic.AtomicInteger RANDOM_PORT_GROUPS = new java.util.concurrent.atomic.AtomicInteger();
    private long sweeper = -1;
    private int httpPort = -1;
    private int httpsPort = -1;

    public FrontDoorServer(Vertx vertx, ProxyConfig config, EngineDirectory engines, ExAppPlacements placements,
                           Optional<ExAppUpstream> upstreamOverride) {
        this(vertx, config, engines, placements, upstreamOverride, Optional.empty(), FrontDoorMetrics.NONE);
    }

    /**
     * With the scheduler: create places the app (devices, limits, labels) and persists it; traffic for apps on
     * agents' engines goes through their tunnels ({@link RoutingUpstream}).
     */
    public FrontDoorServer(Vertx vertx, ProxyConfig config, EngineDirectory engines, ExAppPlacements placements,
                           Optional<ExAppUpstream> upstreamOverride, Optional<SchedulingService> scheduling,
                           FrontDoorMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.nextcloud = new NextcloudClient(vertx, config.nextcloudUrl(), config.sharedKey());
        this.direct = new DirectUpstream(vertx, config.timeouts().connect(), config.timeouts().server());
        this.guard = new BruteForceGuard(config.blacklistCount(), config.blacklistWindow());
        guard.onBan(() -> metrics.banned("http"));
        this.metadata = new ExAppMetadataCache(nextcloud::exappMeta);
        this.sessions = new SessionCache(config.sessionLifetime());
        ControlApi control = new ControlApi(vertx, metadata, engines, placements, new DockerExAppOps(placements),
                new DockerPassthrough(vertx, new DockerApiVersions()), scheduling);
        ExAppUpstream routed = new RoutingUpstream(direct, new TunnelUpstream(vertx, config.timeouts().server()));
        this.frontDoor = new FrontDoor(vertx, config, guard, metadata, sessions, nextcloud, control,
                new UpstreamTargets(vertx, placements, engines), upstreamOverride.orElse(routed), metrics);
    }

    public BruteForceGuard guard() {
        return guard;
    }

    public ExAppMetadataCache metadata() {
        return metadata;
    }

    public Future<FrontDoorServer> start() {
        // Idle connections are cut by the longest of the client, server and tunnel timeouts: Vert.x has one
        // idle timer per connection and it must not cut a slow ExApp answer or an idle WebSocket early; the
        // shorter limits are enforced per exchange (DirectUpstream, TunnelRelay).
        Duration idle = max(config.timeouts().client(), max(config.timeouts().server(), config.timeouts().tunnel()));
        HttpServerOptions base = new HttpServerOptions().setMaxHeaderSize(config.maxHeaderSize())
                .setMaxInitialLineLength(config.maxHeaderSize()).setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle.toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS).setCompressionSupported(false).setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(false);
        HttpServerOptions http = new HttpServerOptions(base).setHost(config.exappsAddress().host()).setPort(config.exappsAddress().port());
        Future<HttpServer> started = listen(http).onSuccess(s -> httpPort = s.actualPort());
        if (config.tls().isPresent()) {
            var tls = config.tls().get();
            HttpServerOptions https = new HttpServerOptions(base).setHost(config.exappsHttpsAddress().host())
                    .setPort(config.exappsHttpsAddress().port()).setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()));
            started = started.compose(s -> listen(https).onSuccess(t -> httpsPort = t.actualPort()));
        }
        sweeper = vertx.setPeriodic(30_000, id -> {
            guard.sweep();
            sessions.sweep();
        });
        return started.map(s -> {
            LOG.infof("front door listening on %s (port %d)%s", config.exappsAddress(), httpPort,
                    httpsPort > 0 ? ", TLS on port " + httpsPort : "");
            return this;
        });
    }

    /**
     * One server instance per event loop on the same address, as Quarkus runs its own HTTP server: Vert.x hands each
     * instance's connections to its loop, so ExApp traffic uses every loop (a single instance serves all clients on
     * one), and an exchange through a tunnel starts on that loop's exchange stream. Port 0 becomes a negative port of
     * this listener's own: Vert.x gives the servers that name the same negative port one random port (Quarkus uses
     * -1 for its own servers, hence a number of our own per listener).
     */
    private Future<HttpServer> listen(HttpServerOptions options) {
        HttpServerOptions shared = options.getPort() == 0
                ? new HttpServerOptions(options).setPort(-(20_000 + RANDOM_PORT_GROUPS.incrementAndGet() % 10_000)) : options;
        List<Future<HttpServer>> all = new ArrayList<>();
        vertx.nettyEventLoopGroup().forEach(e -> all.add(listenOn((io.netty.channel.EventLoop) e, shared)));
        return Future.all(all).map(v -> all.get(0).result());
    }

    private Future<HttpServer> listenOn(io.netty.channel.EventLoop loop, HttpServerOptions options) {
        io.vertx.core.impl.ContextInternal ctx = ((io.vertx.core.impl.VertxInternal) vertx)
                .createEventLoopContext(loop, null, FrontDoorServer.class.getClassLoader());
        io.vertx.core.Promise<HttpServer> started = io.vertx.core.Promise.promise();
        ctx.runOnContext(v -> {
            HttpServer server = vertx.createHttpServer(options).requestHandler(frontDoor)
                    .invalidRequestHandler(req -> {
                        // oversized or malformed request heads: 431 / 414 / 400, plain text, then close
                        var cause = req.decoderResult().cause();
                        int status = cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431
                                : cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414 : 400;
                        req.response().setStatusCode(status).putHeader("content-type", "text/plain")
                                .putHeader("connection", "close").end(status + " Bad Request").onComplete(r -> req.connection().close());
                    });
            synchronized (servers) {
                servers.add(server);
            }
            server.listen().onComplete(started);
        });
        return started.future();
    }

    public int httpPort() {
        return httpPort;
    }

    public int httpsPort() {
        return httpsPort;
    }

    public Future<Void> close() {
        vertx.cancelTimer(sweeper);
        List<Future<Void>> closing = new ArrayList<>();
        synchronized (servers) {
            servers.forEach(s -> closing.add(s.close()));
        }
        nextcloud.close();
        direct.close();
        return Future.join(closing).mapEmpty();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
