package io.lyre.tunnel;

import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.server.AgentRecord;
import java.util.function.LongConsumer;

/**
 * What the proxy's tunnel server reports of the traffic it carries, for metrics. Called on gRPC and caller
 * threads: implementations must be cheap and thread-safe. Set with {@link TunnelServer#traffic(TunnelTraffic)}.
 */
public interface TunnelTraffic {
    TunnelTraffic NONE = new TunnelTraffic() {
    };

    /** The proxy opened an exchange with {@code agent}; {@code open} is its opening frame (kind, headers). */
    default void opened(AgentRecord agent, Open open) {
    }

    /**
     * Where to count the bytes of one of {@code agent}'s exchanges, asked once per exchange and direction
     * ({@code toAgent} true for what the proxy sends): it is given the serialized size of every frame (before
     * gRPC's framing), on the sending or receiving thread. Null: not counted.
     */
    default LongConsumer bytes(AgentRecord agent, boolean toAgent) {
        return null;
    }
}
