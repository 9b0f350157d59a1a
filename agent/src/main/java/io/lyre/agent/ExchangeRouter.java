package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.TransportLoops;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Open;
import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.InetAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each exchange the proxy opens: checks the target against the {@link RelayPolicy}, then hands it to the
 * relay for its kind. Relays run on one Vert.x event loop, {@link #loop()}, which is also the loop the tunnel's
 * connection runs on (see {@link #tunnelLoops()}): a frame from the proxy, the request to the container and the
 * frames back all happen on one thread, without a hand-off. An IP literal the policy can decide from what it
 * knows runs at once; a name, or anything that needs a lookup, goes to a worker first and comes back.
 */
final class ExchangeRouter implements TunnelClient.ExchangeHandler {

    /** Default most connections (HTTP and WebSocket) to one target host:port; Vert.x's own defaults are 5-50. */
    static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    private final Vertx vertx;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final NetClient tcp;
    private final LocalDockerEngine docker;
    private final RelayPolicy policy;
    private final ExecutorService workers;
    private final AgentMetrics metrics;
    private final EventLoop loop;
    private final ContextInternal relayContext;

    ExchangeRouter(Vertx vertx, LocalDockerEngine docker, RelayPolicy policy) {
        this(vertx, docker, policy, null);
    }

    ExchangeRouter(Vertx vertx, LocalDockerEngine docker, RelayPolicy policy, AgentMetrics metrics) {
        this(vertx, docker, policy, metrics, DEFAULT_MAX_CONNECTIONS);
    }

    ExchangeRouter(Vertx vertx, LocalDockerEngine docker, RelayPolicy policy, AgentMetrics metrics, int maxConnections) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.loop = vertx.nettyEventLoopGroup().next();
        this.relayContext = ((VertxInternal) vertx).createEventLoopContext(loop, null, ExchangeRouter.class.getClassLoader());
        int max = Math.max(1, maxConnections);
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(max).setMaxWaitQueueSize(-1));
        this.webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(5000)
                .setMaxConnections(max).setMaxFrameSize(64 * 1024).setMaxMessageSize(16 * 1024 * 1024));
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000));
        this.docker = docker;
        this.policy = policy;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lyre-relay-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The loop every relay runs on. */
    EventLoop loop() {
        return loop;
    }

    /** For the tunnel client: run the connection on the relays' loop. */
    TransportLoops tunnelLoops() {
        return TransportLoops.of(loop);
    }

    @Override
    public void open(Open open, Exchange ex) {
        // Inline when called on the relays' loop (the tunnel shares it); otherwise one hop onto it.
        relayContext.emit(v -> openOnLoop(open, ex));
    }

    private void openOnLoop(Open open, Exchange ex) {
        if (metrics != null) {
            metrics.exchangeOpened(open.getKind());
        }
        if (open.getKind() == Open.Kind.DOCKER) {
            DockerRelay.start(docker.http(), workers, open, ex);
            return;
        }
        // Hold the exchange's frames until the upstream is connected; only a close can come meanwhile.
        ex.pause();
        ex.listener(new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame frame) {
            }

            @Override
            public void onClosed(TunnelException error) {
            }
        });
        InetAddress known = policy.checkWithoutBlocking(open.getHost());
        if (known != null) {
            relay(open, known, ex); // no lookup needed: no hand-off to a worker
            return;
        }
        workers.execute(() -> {
            InetAddress target;
            try {
                target = policy.check(open.getHost());
            } catch (RelayPolicy.Refused e) {
                Relays.fail(ex, 403, e.getMessage());
                return;
            }
            relayContext.emit(v -> relay(open, target, ex));
        });
    }

    private void relay(Open open, InetAddress target, Exchange ex) {
        if (open.getPort() <= 0 || open.getPort() > 65535) {
            Relays.fail(ex, 400, "bad port " + open.getPort());
            return;
        }
        switch (open.getKind()) {
            case HTTP -> HttpRelay.start(http, open, target, ex);
            // On the relays' Vert.x context: the upgrade's response headers are only readable in a callback run as
            // the handshake completes, which a callback registered from another thread can miss (headers null).
            case WEBSOCKET -> WebSocketRelay.start(webSockets, open, target, ex);
            case RAW -> RawRelay.start(tcp, open, target, ex);
            default -> Relays.fail(ex, 400, "unknown exchange kind " + open.getKindValue());
        }
    }

    void close() {
        workers.shutdownNow();
    }
}
