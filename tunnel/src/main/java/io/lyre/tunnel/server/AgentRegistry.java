package io.lyre.tunnel.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lyre.tunnel.AtomicFiles;
import io.lyre.tunnel.TunnelProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joined agents ({@code agents.json} in the proxy data dir, written atomically) and, in memory, the
 * state of each one's engine. The file is re-read when it changed on disk, so {@code agents revoke} from
 * the command line takes effect on a running server at the agent's next call.
 */
public final class AgentRegistry {

    /** Told about every engine state change; called on the thread that made the change. */
    @FunctionalInterface
    public interface StateListener {
        void stateChanged(AgentRecord agent, EngineState previous, EngineState current);
    }

    /** An agent with its current engine state (DISCONNECTED when it never connected since start). */
    public record AgentStatus(AgentRecord agent, EngineState state) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AgentRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final Map<String, AgentRecord> agents = new LinkedHashMap<>();
    private final Map<String, EngineState> states = new ConcurrentHashMap<>();
    private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
    private FileTime loadedMtime;

    public AgentRegistry(Path file) {
        this.file = file;
        reloadIfChanged();
    }

    public void addListener(StateListener l) {
        listeners.add(l);
    }

    /**
     * Adds a newly joined agent. Slot: the requested one when it is in range and not held by another
     * non-revoked agent, else (when none was requested) the lowest free one.
     *
     * @throws IllegalStateException when the requested slot is taken or none is free
     */
    public synchronized AgentRecord register(String id, String name, Map<String, String> labels, int requestedSlot,
                                             String certSerial, long nowMillis) {
        reloadIfChanged();
        int slot = chooseSlot(requestedSlot);
        AgentRecord r = new AgentRecord(id, name, labels, slot, certSerial, false, nowMillis, nowMillis);
        agents.put(id, r);
        save();
        return r;
    }

    /** Validates a slot request without registering: same rules and exceptions as {@link #register}. */
    public synchronized int chooseSlot(int requestedSlot) {
        reloadIfChanged();
        if (requestedSlot != 0) {
            if (!TunnelProtocol.isSlot(requestedSlot)) {
                throw new IllegalStateException("slot " + requestedSlot + " is outside "
                        + TunnelProtocol.MIN_SLOT + "-" + TunnelProtocol.MAX_SLOT);
            }
            Optional<AgentRecord> holder = holderOf(requestedSlot);
            if (holder.isPresent()) {
                throw new IllegalStateException("slot " + requestedSlot + " is held by agent " + holder.get().id()
                        + " (" + holder.get().name() + ")");
            }
            return requestedSlot;
        }
        for (int s = TunnelProtocol.MIN_SLOT; s <= TunnelProtocol.MAX_SLOT; s++) {
            if (holderOf(s).isEmpty()) {
                return s;
            }
        }
        throw new IllegalStateException("all slots " + TunnelProtocol.MIN_SLOT + "-" + TunnelProtocol.MAX_SLOT + " are taken");
    }

    public synchronized Optional<AgentRecord> get(String id) {
        reloadIfChanged();
        return Optional.ofNullable(agents.get(id));
    }

    public synchronized Optional<AgentRecord> findBySerial(String serialHex) {
        reloadIfChanged();
        return agents.values().stream().filter(a -> a.certSerial().equals(serialHex)).findFirst();
    }

    public synchronized List<AgentStatus> list() {
        reloadIfChanged();
        List<AgentStatus> out = new ArrayList<>();
        for (AgentRecord a : agents.values()) {
            out.add(new AgentStatus(a, state(a.id())));
        }
        out.sort(Comparator.comparingInt(s -> s.agent().slot()));
        return out;
    }

    /** Revokes an agent: its certificate is refused from its next call on, and its slot is free again. */
    public synchronized boolean revoke(String id) {
        reloadIfChanged();
        AgentRecord r = agents.get(id);
        if (r == null) {
            return false;
        }
        agents.put(id, r.withRevoked());
        save();
        LOG.info("agent {} ({}) revoked", id, r.name());
        return true;
    }

    public EngineState state(String id) {
        return states.getOrDefault(id, EngineState.DISCONNECTED);
    }

    /** Moves an agent's engine to {@code next}; listeners hear of real changes only. */
    public void setState(String id, EngineState next) {
        EngineState prev = states.put(id, next);
        if (prev == null) {
            prev = EngineState.DISCONNECTED;
        }
        if (prev == next) {
            return;
        }
        AgentRecord r;
        synchronized (this) {
            r = agents.get(id);
            if (r != null && (next == EngineState.DISCONNECTED || next == EngineState.READY)) {
                r = r.withLastSeen(System.currentTimeMillis());
                agents.put(id, r);
                try {
                    save();
                } catch (UncheckedIOException e) {
                    // last-seen is informational: a failed write (e.g. during shutdown) must not break the state change
                    LOG.warn("cannot record last-seen of agent {}: {}", id, e.getMessage());
                }
            }
        }
        if (r == null) {
            return;
        }
        LOG.info("agent {} ({}, slot {}): {} -> {}", id, r.name(), r.slot(), prev, next);
        for (StateListener l : listeners) {
            try {
                l.stateChanged(r, prev, next);
            } catch (RuntimeException e) {
                LOG.warn("state listener failed", e);
            }
        }
    }

    private Optional<AgentRecord> holderOf(int slot) {
        return agents.values().stream().filter(a -> !a.revoked() && a.slot() == slot).findFirst();
    }

    private void reloadIfChanged() {
        try {
            if (!Files.exists(file)) {
                return;
            }
            FileTime mtime = Files.getLastModifiedTime(file);
            if (mtime.equals(loadedMtime)) {
                return;
            }
            List<AgentRecord> list = JSON.readValue(file.toFile(), new TypeReference<List<AgentRecord>>() { });
            agents.clear();
            for (AgentRecord r : list) {
                agents.put(r.id(), r);
            }
            loadedMtime = mtime;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void save() {
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new ArrayList<>(agents.values())),
                    false);
            loadedMtime = Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
