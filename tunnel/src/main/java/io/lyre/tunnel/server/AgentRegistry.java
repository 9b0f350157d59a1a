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
import java.nio.file.attribute.BasicFileAttributes;
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
    private Object loadedVersion; // mtime and file key: every save is a new file (atomic rename), so a new inode
    private long checkedAtNanos = System.nanoTime() - DISK_RECHECK_NANOS;
    static final long DISK_RECHECK_NANOS = 1_000_000_000L;

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
        return find(serialHex);
    }

    /**
     * The per-call lookup (every tunnel stream): like {@link #findBySerial} but looks at the file on disk at most
     * once per {@link #DISK_RECHECK_NANOS}. Changes made through this instance are seen at once; an edit by another
     * process (the offline CLI) within a second. Two file-system calls per exchange were 13 % of the proxy's CPU.
     */
    public synchronized Optional<AgentRecord> findBySerialForCall(String serialHex) {
        long now = System.nanoTime();
        if (now - checkedAtNanos >= DISK_RECHECK_NANOS) {
            reloadIfChanged();
        }
        return find(serialHex);
    }

    private Optional<AgentRecord> find(String serialHex) {
        for (AgentRecord a : agents.values()) {
            if (a.certSerial().equals(serialHex)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
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
        checkedAtNanos = System.nanoTime();
        try {
            if (!Files.exists(file)) {
                return;
            }
            Object version = versionOf(file);
            if (version.equals(loadedVersion)) {
                return;
            }
            List<AgentRecord> list = JSON.readValue(file.toFile(), new TypeReference<List<AgentRecord>>() { });
            agents.clear();
            for (AgentRecord r : list) {
                agents.put(r.id(), r);
            }
            loadedVersion = version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** What tells one saved file from the next: the mtime alone can repeat within a clock tick. */
    private static Object versionOf(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return java.util.Arrays.asList(a.lastModifiedTime(), a.fileKey(), a.size());
    }

    private void save() {
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new ArrayList<>(agents.values())),
                    false);
            loadedVersion = versionOf(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
