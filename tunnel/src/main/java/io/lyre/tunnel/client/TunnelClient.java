package io.lyre.tunnel.client;

import io.grpc.ChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeMux;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.TransportLoops;
import io.lyre.tunnel.TunnelProtocol;
import io.lyre.tunnel.pki.TlsMaterial;
import io.lyre.tunnel.proto.AgentMessage;
import io.lyre.tunnel.proto.Drain;
import io.lyre.tunnel.proto.Heartbeat;
import io.lyre.tunnel.proto.Hello;
import io.lyre.tunnel.proto.InventoryUpdate;
import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.proto.ProxyMessage;
import io.lyre.tunnel.proto.TunnelGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the tunnel: dials the proxy with mutual TLS, says hello, keeps heartbeats going, opens the one
 * stream all exchanges share, hands each exchange the proxy starts on it to an {@link ExchangeHandler}, and
 * re-dials with {@link BackoffPolicy} whenever the tunnel drops. Refusals that retrying cannot fix (revoked,
 * unknown certificate, unsupported protocol) end it: see {@link #fatal()}.
 */
public final class TunnelClient implements AutoCloseable {

    /** Runs one exchange the proxy opened. Must set the exchange's listener before returning. */
    @FunctionalInterface
    public interface ExchangeHandler {
        void open(Open open, Exchange exchange);
    }

    /** Connection settings. */
    public record Config(AgentCredentials credentials, ProxyAddress proxy, BackoffPolicy backoff,
                         int maxFrameBytes, Duration welcomeTimeout, TransportLoops loops) {
        public static Config of(AgentCredentials creds) {
            return new Config(creds, ProxyAddress.parse(creds.identity().proxyAddress()), BackoffPolicy.defaults(),
                    TunnelProtocol.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(10), null);
        }

        public Config withProxy(ProxyAddress p) {
            return new Config(credentials, p, backoff, maxFrameBytes, welcomeTimeout, loops);
        }

        /** Runs the connection on {@code l} (one loop: the one the agent relays on), instead of gRPC's own. */
        public Config withLoops(TransportLoops l) {
            return new Config(credentials, proxy, backoff, maxFrameBytes, welcomeTimeout, l);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);

    private final Config config;
    private final Supplier<Hello> helloSource;
    private final ExchangeHandler handler;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private final Thread loop;
    private volatile boolean stopped;
    private volatile Session current;
    private volatile CountDownLatch connected = new CountDownLatch(1);
    private final AtomicInteger connects = new AtomicInteger();

    public TunnelClient(Config config, Supplier<Hello> helloSource, ExchangeHandler handler) {
        this.config = config;
        this.helloSource = helloSource;
        this.handler = handler;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lyre-tunnel-client-timer");
            t.setDaemon(true);
            return t;
        });
        this.loop = new Thread(this::run, "lyre-tunnel-client");
        this.loop.setDaemon(true);
    }

    public TunnelClient start() {
        loop.start();
        return this;
    }

    /** Completes with the reason when the proxy refused this agent for good; the client has stopped then. */
    public CompletableFuture<String> fatal() {
        return fatal;
    }

    public boolean isConnected() {
        Session s = current;
        return s != null && s.welcomed;
    }

    /** How many times a session was welcomed (1 after the first connect). */
    public int connectCount() {
        return connects.get();
    }

    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && isConnected();
    }

    /** Sends a new device inventory (JSON) when something changed. */
    public void sendInventory(byte[] json) {
        Session s = current;
        if (s != null) {
            s.sendControl(AgentMessage.newBuilder().setInventory(InventoryUpdate.newBuilder()
                    .setInventoryJson(com.google.protobuf.ByteString.copyFrom(json))).build());
        }
    }

    /** Asks the proxy to place no new work here. */
    public void drain(String reason) {
        Session s = current;
        if (s != null) {
            s.sendControl(AgentMessage.newBuilder().setDrain(Drain.newBuilder().setReason(reason)).build());
        }
    }

    @Override
    public void close() {
        stopped = true;
        Session s = current;
        if (s != null) {
            s.done.complete(null);
        }
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }

    private void run() {
        int attempt = 0;
        while (!stopped) {
            Session s = new Session();
            current = s;
            String ended = s.run();
            current = null;
            if (s.fatalReason != null) {
                LOG.error("proxy {} refused this agent for good: {}", config.proxy(), s.fatalReason);
                stopped = true;
                fatal.complete(s.fatalReason);
                break;
            }
            if (stopped) {
                break;
            }
            if (s.welcomed) {
                attempt = 0;
                connected = new CountDownLatch(1);
            }
            Duration delay = config.backoff().delay(attempt++);
            LOG.warn("tunnel to {} down ({}); re-dialing in {} ms", config.proxy(), ended, delay.toMillis());
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                if (stopped) {
                    break;
                }
            }
        }
        LOG.info("tunnel client stopped");
    }

    /**
     * One session: a channel with the control stream and the first exchange stream, and as many more channels with
     * one exchange stream each as the proxy asked for (one per event loop it serves clients on).
     */
    private final class Session {
        final CompletableFuture<String> done = new CompletableFuture<>();
        volatile boolean welcomed;
        volatile String fatalReason;
        volatile long lastPingNanos = System.nanoTime();
        volatile long heartbeatMillis = 2000;
        final java.util.List<ManagedChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.List<ExchangeMux> exchanges = new java.util.concurrent.CopyOnWriteArrayList<>();
        TunnelGrpc.TunnelStub stub;
        StreamObserver<AgentMessage> control;
        volatile ScheduledFuture<?> ticker;

        ManagedChannel newChannel() {
            AgentCredentials creds = config.credentials();
            ChannelCredentials tls = TlsChannelCredentials.newBuilder()
                    .keyManager(TlsMaterial.keyManagers(creds.keyAndCertificate()))
                    .trustManager(TlsMaterial.trustCa(creds.ca()))
                    .build();
            NettyChannelBuilder builder = NettyChannelBuilder.forAddress(config.proxy().host(), config.proxy().port(), tls);
            if (config.loops() != null) {
                builder.eventLoopGroup(config.loops().group()).channelType(config.loops().channel());
            }
            ManagedChannel channel = builder
                    // exchanges are never retried (they are not idempotent): skip gRPC's retry buffering per call
                    .disableRetry()
                    .keepAliveTime(10, TimeUnit.SECONDS)
                    .keepAliveTimeout(3, TimeUnit.SECONDS)
                    .keepAliveWithoutCalls(true)
                    .maxInboundMessageSize(TunnelProtocol.TRANSPORT_MAX_MESSAGE_BYTES)
                    .flowControlWindow(TunnelProtocol.TRANSPORT_WINDOW_BYTES)
                    // Listeners (ExchangeHandler, relays) run on the transport's event loop: no hand-off per
                    // message. They must not block; blocking work (DNS, Docker) goes to their own workers.
                    .directExecutor()
                    .build();
            channels.add(channel);
            return channel;
        }

        static TunnelGrpc.TunnelStub stub(ManagedChannel channel) {
            return TunnelGrpc.newStub(channel).withOnReadyThreshold(TunnelProtocol.ON_READY_THRESHOLD_BYTES);
        }

        String run() {
            try {
                stub = stub(newChannel());
                control = stub.control(new ControlObserver());
                sendControl(AgentMessage.newBuilder().setHello(helloSource.get()).build());
                return done.get(config.welcomeTimeout().toMillis(), TimeUnit.MILLISECONDS) == null
                        ? "closed" : awaitEnd();
            } catch (TimeoutException e) {
                if (welcomed) {
                    return awaitEnd();
                }
                return "no welcome within " + config.welcomeTimeout().toMillis() + " ms";
            } catch (InterruptedException e) {
                return "interrupted";
            } catch (ExecutionException | RuntimeException e) {
                return e.toString();
            } finally {
                welcomed = false;
                if (ticker != null) {
                    ticker.cancel(false);
                }
                for (ExchangeMux m : exchanges) {
                    m.close(new TunnelException(502, "tunnel to " + config.proxy() + " closed"));
                }
                channels.forEach(ManagedChannel::shutdownNow);
            }
        }

        private String awaitEnd() {
            try {
                String r = done.get();
                return r == null ? "closed" : r;
            } catch (InterruptedException | ExecutionException e) {
                return "interrupted";
            }
        }

        synchronized void sendControl(AgentMessage m) {
            try {
                control.onNext(m);
            } catch (RuntimeException e) {
                LOG.debug("control send failed: {}", e.toString());
            }
        }

        private void welcome(io.lyre.tunnel.proto.Welcome w) {
            heartbeatMillis = Math.max(100, w.getHeartbeatIntervalMillis());
            lastPingNanos = System.nanoTime();
            welcomed = true;
            connects.incrementAndGet();
            LOG.info("tunnel to {} up: agent {} slot {}", config.proxy(), w.getAgentId(), w.getSlot());
            openExchanges(stub);
            for (int i = 1; i < Math.min(TunnelProtocol.MAX_EXCHANGE_CONNECTIONS, w.getExchangeConnections()) && !done.isDone(); i++) {
                openExchanges(stub(newChannel()));
            }
            ticker = timer.scheduleAtFixedRate(this::tick, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
            connected.countDown();
        }

        private void tick() {
            long silent = (System.nanoTime() - lastPingNanos) / 1_000_000L;
            if (silent > 3 * heartbeatMillis + 1000) {
                done.complete("proxy silent for " + silent + " ms");
                return;
            }
            sendControl(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                    .setSentAtMillis(System.currentTimeMillis())).build());
        }

        /** Opens an exchange stream on {@code on}'s channel; the loss of any ends the session (then re-dial). */
        void openExchanges(TunnelGrpc.TunnelStub on) {
            ExchangeMux m = ExchangeMux.forClient(config.proxy().toString(), config.maxFrameBytes(), handler::open);
            exchanges.add(m);
            m.closed().thenAccept(e -> done.complete("exchange stream ended: " + e.getMessage()));
            try {
                on.exchanges(m.clientObserver());
            } catch (RuntimeException e) {
                done.complete("cannot open the exchange stream: " + e);
            }
        }

        private final class ControlObserver implements StreamObserver<ProxyMessage> {
            @Override
            public void onNext(ProxyMessage m) {
                switch (m.getMsgCase()) {
                    case WELCOME -> welcome(m.getWelcome());
                    case PING -> lastPingNanos = System.nanoTime();
                    case REFUSE -> {
                        fatalReason = m.getRefuse().getReason();
                        done.complete("refused: " + fatalReason);
                    }
                    default -> { }
                }
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                if (s.getCode() == Status.Code.PERMISSION_DENIED || s.getCode() == Status.Code.UNAUTHENTICATED) {
                    fatalReason = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
                }
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                done.complete(s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription())
                        + (root != t ? " [" + root + "]" : ""));
            }

            @Override
            public void onCompleted() {
                done.complete("proxy closed the control stream");
            }
        }
    }
}
