package io.lyre.tunnel;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.proto.AgentMessage;
import io.lyre.tunnel.proto.Hello;
import io.lyre.tunnel.proto.Ping;
import io.lyre.tunnel.proto.ProxyMessage;
import io.lyre.tunnel.proto.Refuse;
import io.lyre.tunnel.proto.Welcome;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.EngineState;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of one agent's Control stream: checks the hello, welcomes the agent, pings it, and
 * drops its tunnel when it goes silent past the heartbeat timeout.
 */
final class ControlSession implements StreamObserver<AgentMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(ControlSession.class);

    private final TunnelServer server;
    private final AgentRecord agent;
    private final String address;
    private final ServerCallStreamObserver<ProxyMessage> out;
    private volatile long lastHeardNanos = System.nanoTime();
    private AgentConnection connection;
    private ScheduledFuture<?> ticker;
    private boolean ended;

    ControlSession(TunnelServer server, AgentRecord agent, String address, ServerCallStreamObserver<ProxyMessage> out) {
        this.server = server;
        this.agent = agent;
        this.address = address;
        this.out = out;
        out.setOnCancelHandler(() -> end("control stream cancelled"));
    }

    @Override
    public synchronized void onNext(AgentMessage msg) {
        lastHeardNanos = System.nanoTime();
        switch (msg.getMsgCase()) {
            case HELLO -> hello(msg.getHello());
            case HEARTBEAT -> { }
            case INVENTORY -> {
                if (connection != null) {
                    connection.updateInventory(msg.getInventory().getInventoryJson().toByteArray());
                    LOG.info("agent {} ({}): inventory updated", agent.id(), agent.name());
                }
            }
            case DRAIN -> {
                LOG.info("agent {} ({}) drains: {}", agent.id(), agent.name(), msg.getDrain().getReason());
                server.registry().setState(agent.id(), EngineState.DRAINING);
            }
            default -> LOG.warn("agent {}: empty control message ignored", agent.id());
        }
    }

    private void hello(Hello hello) {
        if (connection != null) {
            LOG.warn("agent {}: second hello ignored", agent.id());
            return;
        }
        if (hello.getProtocolVersion() != TunnelProtocol.PROTOCOL_VERSION) {
            String reason = "unsupported tunnel protocol version " + hello.getProtocolVersion() + "; this proxy speaks "
                    + TunnelProtocol.PROTOCOL_VERSION + " (upgrade the agent or the proxy)";
            LOG.warn("agent {} ({}) from {} refused: {}", agent.id(), agent.name(), address, reason);
            send(ProxyMessage.newBuilder().setRefuse(Refuse.newBuilder().setReason(reason)).build());
            ended = true;
            try {
                out.onCompleted();
            } catch (RuntimeException ignored) {
                // already gone
            }
            return;
        }
        if (hello.getRequestedSlot() != 0 && hello.getRequestedSlot() != agent.slot()) {
            LOG.warn("agent {} asks for slot {} but holds slot {} since it joined; keeping {}", agent.id(),
                    hello.getRequestedSlot(), agent.slot(), agent.slot());
        }
        connection = new AgentConnection(agent, hello, server.config().openTimeout(), server.timer(), server.traffic());
        server.attach(connection);
        send(ProxyMessage.newBuilder().setWelcome(Welcome.newBuilder().setAgentId(agent.id()).setSlot(agent.slot())
                .setHeartbeatIntervalMillis((int) server.config().heartbeatInterval().toMillis())
                .setExchangeConnections(server.exchangeConnections())).build());
        LOG.info("agent {} ({}) connected from {}: agent {}, docker {}", agent.id(), agent.name(), address,
                hello.getAgentVersion(), hello.getDocker().getAvailable() ? hello.getDocker().getVersion() : "absent");
        server.registry().setState(agent.id(), EngineState.READY);
        long every = server.config().heartbeatInterval().toMillis();
        ticker = server.timer().scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        if (server.registry().get(agent.id()).map(a -> a.revoked()).orElse(true)) {
            // Revoked, possibly from the command line of another process: end the live tunnel too.
            LOG.warn("agent {} ({}) is revoked; dropping its tunnel", agent.id(), agent.name());
            dropTunnel(Status.PERMISSION_DENIED.withDescription("agent " + agent.id() + " is revoked"), "revoked");
            return;
        }
        if (connection != null && !connection.isOpen()) {
            dropTunnel(Status.UNAVAILABLE.withDescription("tunnel closed by the proxy"), "closed by the proxy");
            return;
        }
        long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000L;
        if (silentMillis > server.config().heartbeatTimeout().toMillis()) {
            LOG.warn("agent {} ({}) silent for {} ms; dropping its tunnel", agent.id(), agent.name(), silentMillis);
            dropTunnel(Status.UNAVAILABLE.withDescription("heartbeat timeout"), "heartbeat timeout");
            return;
        }
        send(ProxyMessage.newBuilder().setPing(Ping.newBuilder().setSentAtMillis(System.currentTimeMillis())).build());
    }

    private void dropTunnel(Status status, String reason) {
        synchronized (out) {
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        end(reason);
    }

    private void send(ProxyMessage m) {
        synchronized (out) {
            try {
                out.onNext(m);
            } catch (RuntimeException e) {
                LOG.debug("control send to {} failed: {}", agent.id(), e.toString());
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        end("control stream failed: " + Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
        end("agent closed its control stream");
        try {
            out.onCompleted();
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    private void end(String reason) {
        AgentConnection c;
        synchronized (this) {
            if (ended && connection == null) {
                return;
            }
            ended = true;
            c = connection;
            connection = null;
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
        if (c != null) {
            server.detach(c, new TunnelException(502, "agent " + agent.name() + " disconnected: " + reason));
        }
    }
}
