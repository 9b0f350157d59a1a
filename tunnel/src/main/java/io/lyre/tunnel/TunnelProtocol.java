package io.lyre.tunnel;

/** Constants both ends agree on. */
public final class TunnelProtocol {

    /** The version in Hello; the proxy refuses any other. */
    public static final int PROTOCOL_VERSION = 3; // 2: ResponseHead.body; 3: all exchanges on one stream
    /** The proxy's default tunnel port. */
    public static final int DEFAULT_PORT = 8782;
    /** Engine slots, as HaRP's docker-engine-port: 24001-24099. */
    public static final int MIN_SLOT = 24001;
    public static final int MAX_SLOT = 24099;
    /** Largest body chunk put in one Data frame. */
    public static final int MAX_CHUNK_BYTES = 64 * 1024;
    /**
     * Payload bytes one end may send on one exchange before the other grants more (Window frames). It bounds what
     * a paused reader buffers per exchange, and must cover the bandwidth-delay product of one bulk transfer.
     */
    public static final int WINDOW_BYTES = 1024 * 1024;
    /**
     * Bytes gRPC may hold queued on the shared Exchanges stream before {@code isReady()} turns false and every
     * exchange's writer waits (gRPC's default, 32 KiB, is less than one chunk: a hand-off per chunk).
     */
    public static final int ON_READY_THRESHOLD_BYTES = 16 * MAX_CHUNK_BYTES;
    /** The most connections the proxy asks one agent to open for exchanges (one per proxy event loop). */
    public static final int MAX_EXCHANGE_CONNECTIONS = 8;
    /** HTTP/2 window of the tunnel connection and its streams: the shared stream carries every exchange. */
    public static final int TRANSPORT_WINDOW_BYTES = 8 * 1024 * 1024;
    /** Default largest frame (serialized) either end accepts; bigger ones drop their stream. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
    /**
     * gRPC's own inbound limit: above the frame limit, so that a frame between the two is refused by our
     * code with a clear log line, and one above it by gRPC, in both cases dropping only its stream.
     */
    public static final int TRANSPORT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private TunnelProtocol() {
    }

    public static boolean isSlot(int slot) {
        return slot >= MIN_SLOT && slot <= MAX_SLOT;
    }
}
