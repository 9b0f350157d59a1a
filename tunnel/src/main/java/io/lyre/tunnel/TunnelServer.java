package io.lyre.tunnel;

import io.grpc.Attributes;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.lyre.tunnel.pki.CertificateAuthority;
import io.lyre.tunnel.pki.KeyAndCertificate;
import io.lyre.tunnel.pki.TlsMaterial;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.AgentRegistry;
import io.lyre.tunnel.server.EngineState;
import io.lyre.tunnel.server.JoinToken;
import io.lyre.tunnel.server.JoinTokenStore;
import io.lyre.tunnel.server.RefusalGuard;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's tunnel listener: gRPC over TLS (client certificate optional at the TLS layer, required per
 * call except Join). A plain class with {@link #start()} and {@link #close()} so any host (Quarkus, a CLI,
 * a test) can run it. Agents dial in; this server never dials out.
 */
public final class TunnelServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelServer.class);

    private final TunnelServerConfig config;
    private final ReceiveBudget receiveBudget;
    private final CertificateAuthority ca;
    private final AgentRegistry registry;
    private final JoinTokenStore tokens;
    private final RefusalGuard guard;
    private final Map<String, AgentConnection> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private ExecutorService executor;
    private Server server;
    private volatile boolean closing;
    private volatile TunnelTraffic traffic = TunnelTraffic.NONE;
    private TransportLoops loops;

    /** Loads (or creates) the CA, registry and token store; does not listen yet. */
    public TunnelServer(TunnelServerConfig config) throws IOException {
        this.config = config;
        this.receiveBudget = new ReceiveBudget(config.receiveBudgetBytes());
        this.ca = CertificateAuthority.loadOrCreate(config.dataDir().resolve("ca"));
        this.registry = new AgentRegistry(config.dataDir().resolve("agents.json"));
        this.tokens = new JoinTokenStore(config.dataDir().resolve("tokens.json"), Clock.systemUTC());
        this.guard = new RefusalGuard(config.blacklistCount(), config.blacklistWindow());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("lyre-tunnel-timer"));
    }

    /** Runs the listener and its connections on {@code l} (the host's Vert.x loops); call before {@link #start()}. */
    public synchronized TunnelServer eventLoops(TransportLoops l) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        this.loops = l;
        return this;
    }

    public synchronized TunnelServer start() throws IOException {
        KeyAndCertificate serverCert = ca.issueServerCertificate(config.hostNames());
        io.grpc.ServerCredentials creds = TlsServerCredentials.newBuilder()
                .keyManager(TlsMaterial.keyManagers(serverCert))
                .trustManager(TlsMaterial.acceptAnyClient(ca.certificate()))
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
        // Only for the rare blocking work (Join: CSR signing and file writes), off the transport threads.
        executor = Executors.newCachedThreadPool(daemon("lyre-tunnel"));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), config.port()), creds);
        if (loops != null) {
            builder.bossEventLoopGroup(loops.group()).workerEventLoopGroup(loops.group()).channelType(loops.serverChannel());
        }
        server = builder
                // Listeners run on the transport's event loop: no hand-off per message (the biggest cost per
                // small exchange). Every listener is non-blocking by contract (see ExchangeListener).
                .directExecutor()
                .addService(ServerInterceptors.intercept(new TunnelService(this), new AuthInterceptor(ca, registry, guard)))
                .addTransportFilter(new HandshakeWatch())
                .maxInboundMessageSize(TunnelProtocol.TRANSPORT_MAX_MESSAGE_BYTES)
                .flowControlWindow(TunnelProtocol.TRANSPORT_WINDOW_BYTES)
                .keepAliveTime(config.keepAlive().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(config.keepAlive().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .build()
                .start();
        LOG.info("tunnel listening on {}:{} (CA sha256:{})", config.bindHost(), port(), ca.fingerprint());
        return this;
    }

    /**
     * Connections each agent opens for exchanges: one per loop clients are served on (at most
     * {@link TunnelProtocol#MAX_EXCHANGE_CONNECTIONS}), so that an exchange and its client share a thread.
     */
    int exchangeConnections() {
        TransportLoops l = loops;
        return l == null ? 1 : Math.min(TunnelProtocol.MAX_EXCHANGE_CONNECTIONS, l.size());
    }

    /** The bound port (useful when the config asked for 0). */
    public int port() {
        return server.getPort();
    }

    /** What exchanges with stalled readers hold here now, against {@link TunnelServerConfig#receiveBudgetBytes()}. */
    public ReceiveBudget receiveBudget() {
        return receiveBudget;
    }

    public TunnelServerConfig config() {
        return config;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public AgentRegistry registry() {
        return registry;
    }

    public JoinTokenStore tokens() {
        return tokens;
    }

    /** Brute-force protection of the tunnel port: addresses blocked now, and a listener for new blocks. */
    public RefusalGuard refusals() {
        return guard;
    }

    /** Reports exchanges and their bytes to {@code t} from now on (connections made before keep the old one). */
    public void traffic(TunnelTraffic t) {
        this.traffic = t == null ? TunnelTraffic.NONE : t;
    }

    TunnelTraffic traffic() {
        return traffic;
    }

    /** A new one-time join token, valid for {@code ttl}. */
    public JoinToken createJoinToken(Duration ttl) {
        return tokens.create(ca.fingerprint(), ttl);
    }

    /** Revokes an agent and drops its tunnel now; false when no such agent. */
    public boolean revoke(String agentId) {
        if (!registry.revoke(agentId)) {
            return false;
        }
        AgentConnection c = connections.get(agentId);
        if (c != null) {
            detach(c, new TunnelException(503, "agent " + c.agent().name() + " was revoked"));
        }
        return true;
    }

    /** The live connection of an agent, if it is connected now. */
    public Optional<AgentConnection> connection(String agentId) {
        return Optional.ofNullable(connections.get(agentId));
    }

    /** The live connection of the agent holding engine slot {@code slot}. */
    public Optional<AgentConnection> connectionForSlot(int slot) {
        return connections.values().stream().filter(c -> c.agent().slot() == slot).findFirst();
    }

    public Collection<AgentConnection> connections() {
        return List.copyOf(connections.values());
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (server != null) {
            server.shutdownNow();
            for (AgentConnection c : connections.values()) {
                c.close(new TunnelException(503, "proxy shutting down"));
            }
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
            server = null;
        }
        timer.shutdownNow();
    }

    // ---- for the service and sessions

    RefusalGuard guard() {
        return guard;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** For blocking work that must not run on a transport thread (gRPC runs listeners there). */
    java.util.concurrent.Executor blockingExecutor() {
        return executor;
    }

    void attach(AgentConnection c) {
        AgentConnection old = connections.put(c.agent().id(), c);
        if (old != null && old != c) {
            LOG.info("agent {} reconnected; closing its previous tunnel", c.agent().id());
            old.close(new TunnelException(502, "agent " + c.agent().name() + " reconnected; old tunnel closed"));
        }
    }

    void detach(AgentConnection c, TunnelException reason) {
        c.close(reason);
        String id = c.agent().id();
        if (!connections.remove(id, c) || closing) {
            return; // a newer connection took over (state stays as it is), or we are shutting down
        }
        registry.setState(id, EngineState.DISCONNECTED);
        try {
            timer.schedule(() -> {
                if (!connections.containsKey(id) && registry.state(id) == EngineState.DISCONNECTED) {
                    registry.setState(id, EngineState.LOST);
                }
            }, config.lostGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Logs connections that end before TLS and HTTP/2 are up: garbage, scanners, clients that distrust us. */
    private static final class HandshakeWatch extends ServerTransportFilter {
        @Override
        public void transportTerminated(Attributes attributes) {
            if (attributes == null) {
                LOG.warn("tunnel: a connection closed before completing the TLS/HTTP2 handshake (not a tunnel client)");
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** For tests and tools: the records of the agents connected now. */
    public List<AgentRecord> connectedAgents() {
        return connections.values().stream().map(AgentConnection::agent).toList();
    }
}
