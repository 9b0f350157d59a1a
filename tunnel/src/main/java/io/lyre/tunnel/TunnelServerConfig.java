package io.lyre.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the proxy's tunnel listener.
 *
 * @param bindHost          address to listen on ("0.0.0.0")
 * @param port              tunnel port (8782); 0 picks a free one (tests)
 * @param dataDir           where the CA, agents.json and tokens.json live
 * @param hostNames         extra names/addresses for the server certificate (informational: agents pin the CA)
 * @param heartbeatInterval how often agents send heartbeats and the proxy pings
 * @param heartbeatTimeout  silence after which the proxy drops an agent's tunnel
 * @param lostGrace         how long a disconnected engine stays DISCONNECTED before it is LOST
 * @param blacklistCount    refusals from one address that block it (HP_BLACKLIST_COUNT)
 * @param blacklistWindow   the window for those refusals and the block (HP_BLACKLIST_WINDOW)
 * @param maxFrameBytes     largest frame accepted; a bigger one drops its stream
 * @param openTimeout       how long an exchange waits for the agent's exchange stream (just after it connected)
 * @param keepAlive         gRPC keepalive ping interval and timeout toward agents
 * @param receiveBudgetBytes what exchanges with stalled readers may hold here, all agents together
 *                          ({@link ReceiveBudget}); past it such an exchange is dropped with a 503
 */
public record TunnelServerConfig(String bindHost, int port, Path dataDir, List<String> hostNames,
                                 Duration heartbeatInterval, Duration heartbeatTimeout, Duration lostGrace,
                                 int blacklistCount, Duration blacklistWindow, int maxFrameBytes,
                                 Duration openTimeout, Duration keepAlive, long receiveBudgetBytes) {

    public TunnelServerConfig {
        hostNames = List.copyOf(hostNames);
    }

    public static TunnelServerConfig defaults(Path dataDir) {
        return new TunnelServerConfig("0.0.0.0", TunnelProtocol.DEFAULT_PORT, dataDir, List.of(),
                Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(30), 5, Duration.ofSeconds(300),
                TunnelProtocol.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(3), Duration.ofSeconds(2),
                ReceiveBudget.DEFAULT_BYTES);
    }

    public TunnelServerConfig withBind(String host, int newPort) {
        return new TunnelServerConfig(host, newPort, dataDir, hostNames, heartbeatInterval, heartbeatTimeout, lostGrace,
                blacklistCount, blacklistWindow, maxFrameBytes, openTimeout, keepAlive, receiveBudgetBytes);
    }

    public TunnelServerConfig withBlacklist(int count, Duration window) {
        return new TunnelServerConfig(bindHost, port, dataDir, hostNames, heartbeatInterval, heartbeatTimeout, lostGrace,
                count, window, maxFrameBytes, openTimeout, keepAlive, receiveBudgetBytes);
    }

    public TunnelServerConfig withHeartbeat(Duration interval, Duration timeout) {
        return new TunnelServerConfig(bindHost, port, dataDir, hostNames, interval, timeout, lostGrace,
                blacklistCount, blacklistWindow, maxFrameBytes, openTimeout, keepAlive, receiveBudgetBytes);
    }

    public TunnelServerConfig withLostGrace(Duration grace) {
        return new TunnelServerConfig(bindHost, port, dataDir, hostNames, heartbeatInterval, heartbeatTimeout, grace,
                blacklistCount, blacklistWindow, maxFrameBytes, openTimeout, keepAlive, receiveBudgetBytes);
    }

    public TunnelServerConfig withHostNames(List<String> names) {
        return new TunnelServerConfig(bindHost, port, dataDir, names, heartbeatInterval, heartbeatTimeout, lostGrace,
                blacklistCount, blacklistWindow, maxFrameBytes, openTimeout, keepAlive, receiveBudgetBytes);
    }

    public TunnelServerConfig withReceiveBudget(long bytes) {
        return new TunnelServerConfig(bindHost, port, dataDir, hostNames, heartbeatInterval, heartbeatTimeout, lostGrace,
                blacklistCount, blacklistWindow, maxFrameBytes, openTimeout, keepAlive, bytes);
    }
}
