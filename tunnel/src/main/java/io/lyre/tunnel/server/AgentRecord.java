package io.lyre.tunnel.server;

import java.util.Map;

/**
 * A joined agent as the registry persists it.
 *
 * @param certSerial serial of its client certificate (lowercase hex): how a connection is tied to it
 * @param lastSeenMillis last hello or heartbeat, epoch millis; persisted at state changes only
 */
public record AgentRecord(String id, String name, Map<String, String> labels, int slot, String certSerial,
                          boolean revoked, long joinedAtMillis, long lastSeenMillis) {

    public AgentRecord {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    AgentRecord withRevoked() {
        return new AgentRecord(id, name, labels, slot, certSerial, true, joinedAtMillis, lastSeenMillis);
    }

    AgentRecord withLastSeen(long millis) {
        return new AgentRecord(id, name, labels, slot, certSerial, revoked, joinedAtMillis, millis);
    }
}
