package io.lyre.proxy.tunnel;

import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.EngineState;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The tunnel server inside the proxy: agents that say hello become {@link TunnelEngine}s in the
 * {@link EngineRegistry} (ready while READY), and the scheduler hears when an engine comes (reconcile) or is
 * lost (reschedule). Listeners run on one background thread, in order, never on a gRPC thread: they make
 * Docker calls through the very tunnel whose events they handle.
 */
public final class TunnelHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TunnelHost.class);

    /** Told when an agent's engine becomes ready (first hello or a reconnect) and when it is lost. */
    public interface EngineEvents {
        default void ready(TunnelEngine engine) {
        }

        default void stateChanged(TunnelEngine engine, EngineState previous, EngineState current) {
        }

        default void lost(TunnelEngine engine) {
        }
    }

    private final TunnelServer server;
    private final EngineRegistry engines;
    private final Duration dockerTimeout;
    private final Map<String, TunnelEngine> byAgent = new ConcurrentHashMap<>();
    private final List<EngineEvents> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lyre-engine-events");
        t.setDaemon(true);
        return t;
    });

    public TunnelHost(TunnelServerConfig config, EngineRegistry engines, Duration dockerTimeout) throws IOException {
        this.server = new TunnelServer(config);
        this.engines = engines;
        this.dockerTimeout = dockerTimeout;
        server.registry().addListener(this::stateChanged);
    }

    public TunnelHost start() throws IOException {
        server.start();
        return this;
    }

    public TunnelServer server() {
        return server;
    }

    public void addListener(EngineEvents l) {
        listeners.add(l);
    }

    public Optional<TunnelEngine> engine(String agentId) {
        return Optional.ofNullable(byAgent.get(agentId));
    }

    public List<TunnelEngine> engines() {
        return List.copyOf(byAgent.values());
    }

    /** Revokes an agent: its tunnel drops now and its engine leaves the registry. */
    public boolean revoke(String agentId) {
        boolean done = server.revoke(agentId);
        TunnelEngine e = byAgent.remove(agentId);
        if (e != null) {
            e.update(e.agent(), EngineState.LOST);
            engines.unregister(e);
        }
        return done;
    }

    private void stateChanged(AgentRecord agent, EngineState previous, EngineState current) {
        if (agent.revoked()) {
            return;
        }
        TunnelEngine engine = byAgent.computeIfAbsent(agent.id(), id -> new TunnelEngine(server, agent, dockerTimeout));
        engine.update(agent, current);
        engines.register(engine); // not-ready engines stay known (HaRP answers 503 for them, not 404)
        LOG.infof("engine %s on slot %d is %s", agent.name(), agent.slot(), current);
        submit(() -> {
            for (EngineEvents l : listeners) {
                l.stateChanged(engine, previous, current);
                if (current == EngineState.READY) {
                    l.ready(engine);
                } else if (current == EngineState.LOST) {
                    l.lost(engine);
                }
            }
        });
    }

    private void submit(Runnable r) {
        try {
            events.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("engine event listener failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void close() {
        events.shutdownNow();
        server.close();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
