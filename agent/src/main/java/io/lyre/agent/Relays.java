package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every relay does when it cannot go on: an Error frame with an HTTP-style status, then done. */
final class Relays {

    private static final Logger LOG = LoggerFactory.getLogger(Relays.class);

    private Relays() {
    }

    /** Vert.x bytes as a frame payload: one copy (out of Netty's buffer), none more. */
    static com.google.protobuf.ByteString bytes(io.vertx.core.buffer.Buffer b) {
        return com.google.protobuf.UnsafeByteOperations.unsafeWrap(b.getBytes()); // getBytes() made a fresh array
    }

    /** A frame payload as a Vert.x buffer without copying (a received ByteString is immutable). */
    static io.vertx.core.buffer.Buffer buffer(com.google.protobuf.ByteString s) {
        return io.vertx.core.buffer.Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(s.asReadOnlyByteBuffer()));
    }

    static void fail(Exchange ex, int status, String message) {
        LOG.info("exchange failed ({}): {}", status, message);
        ex.send(Frames.error(status, message));
        ex.complete();
    }
}
