package io.lyre.proxy.tunnel;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.proxy.docker.Engine;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.docker.TunnelDockerHttpClient;
import io.lyre.tunnel.proto.DockerFacts;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.EngineState;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker engine of one agent, reached through its tunnel: every Docker call is a DOCKER exchange and ExApp
 * traffic goes through HTTP/WebSocket exchanges ({@link TunnelUpstream}). The engine outlives a tunnel drop: the
 * same object is ready again when its agent reconnects.
 */
public final class TunnelEngine implements Engine {
    private static final Logger LOG = Logger.getLogger(TunnelEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final TunnelServer server;
    private volatile AgentRecord agent;
    private volatile EngineState state = EngineState.DISCONNECTED;
    private final DockerHttpClient http;
    private final DockerClient client;
    private volatile HostInventory inventoryOverride;
    private byte[] parsedFrom;
    private HostInventory parsed;

    public TunnelEngine(TunnelServer server, AgentRecord agent, Duration dockerTimeout) {
        this.server = server;
        this.agent = agent;
        this.http = new TunnelDockerHttpClient(this::connection, dockerTimeout);
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("tcp://lyre-agent-" + agent.slot() + ":2375").build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    public String agentId() {
        return agent.id();
    }

    public AgentRecord agent() {
        return agent;
    }

    void update(AgentRecord record, EngineState newState) {
        this.agent = record;
        this.state = newState;
    }

    public EngineState engineState() {
        return state;
    }

    /** The agent's live tunnel, when it is connected now. */
    public Optional<AgentConnection> connection() {
        return server.connection(agent.id()).filter(AgentConnection::isOpen);
    }

    @Override
    public String id() {
        return agent.id();
    }

    @Override
    public int slot() {
        return agent.slot();
    }

    @Override
    public String name() {
        return agent.name();
    }

    @Override
    public boolean ready() {
        return state == EngineState.READY;
    }

    @Override
    public String state() {
        return state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Map<String, String> labels() {
        return connection().map(c -> (Map<String, String>) c.hello().getLabelsMap()).orElse(agent.labels());
    }

    /** What the agent said of its Docker engine at hello (version, API version, runtimes). */
    public Optional<DockerFacts> dockerFacts() {
        return connection().map(c -> c.hello().getDocker());
    }

    /**
     * Replaces what the agent reports, for tests and demos that pretend a host has devices it lacks (the
     * integration tests name such inventories Simulated...). Null returns to the agent's own report.
     */
    public void overrideInventory(HostInventory simulated) {
        this.inventoryOverride = simulated;
    }

    @Override
    public synchronized HostInventory inventory() {
        HostInventory o = inventoryOverride;
        if (o != null) {
            return o;
        }
        Optional<AgentConnection> c = connection();
        if (c.isEmpty()) {
            return parsed != null ? parsed : empty();
        }
        byte[] json = c.get().inventoryJson();
        if (parsed == null || !Arrays.equals(json, parsedFrom)) {
            parsedFrom = json;
            parsed = parse(json);
        }
        return parsed;
    }

    private HostInventory parse(byte[] json) {
        try {
            HostInventory inv = JSON.readValue(json, HostInventory.class);
            if (inv != null && inv.host() != null) {
                return inv;
            }
        } catch (Exception e) {
            LOG.warnf("agent %s sent an inventory that does not parse: %s", agent.name(), e.getMessage());
        }
        return empty();
    }

    private HostInventory empty() {
        return new HostInventory(HostFacts.unknown(agent.name()), List.of(), List.of());
    }

    @Override
    public DockerHttpClient httpClient() {
        return http;
    }

    @Override
    public DockerClient dockerClient() {
        return client;
    }

    @Override
    public boolean reachableDirectly() {
        return false;
    }

    @Override
    public String toString() {
        return "agent " + agent.name() + "@" + agent.slot() + " (" + state + ")";
    }
}
