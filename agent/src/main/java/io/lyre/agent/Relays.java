package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every relay shares: the back-pressured pumps between an exchange and an upstream, and how it gives up. */
final class Relays {

    private static final Logger LOG = LoggerFactory.getLogger(Relays.class);

    private Relays() {
    }

    /**
     * Vert.x bytes as a frame payload, without a copy: Vert.x hands each handler a buffer of its own (copied out of
     * Netty's pooled one) that nothing writes to afterwards.
     */
    static com.google.protobuf.ByteString bytes(io.vertx.core.buffer.Buffer b) {
        return com.google.protobuf.UnsafeByteOperations.unsafeWrap(b.getByteBuf().nioBuffer());
    }

    /** A frame payload as a Vert.x buffer without copying (a received ByteString is immutable). */
    static io.vertx.core.buffer.Buffer buffer(com.google.protobuf.ByteString s) {
        return io.vertx.core.buffer.Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(s.asReadOnlyByteBuffer()));
    }

    /** The upstream's bytes out as Data frames; the upstream pauses while the tunnel stream is full. */
    static void pumpOut(ReadStream<Buffer> from, Exchange ex) {
        from.handler(buf -> {
            ex.sendData(bytes(buf), false);
            if (ex.writeQueueFull()) {
                from.pause();
                ex.drainHandler(from::resume);
            }
        });
    }

    /**
     * The proxy's Data frames into the upstream; the exchange pauses while the upstream's queue is full. A Cancel,
     * or the exchange failing, runs {@code abort} (the caller is gone: close the upstream connection too).
     */
    static void pumpIn(Exchange ex, WriteStream<Buffer> to, Runnable abort) {
        ex.listener(new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame f) {
                switch (f.getFrameCase()) {
                    case DATA -> {
                        if (!f.getData().getPayload().isEmpty()) {
                            to.write(buffer(f.getData().getPayload()));
                        }
                        if (f.getData().getEndOfStream()) {
                            to.end();
                        } else if (to.writeQueueFull()) {
                            ex.pause();
                            to.drainHandler(v -> ex.resume());
                            if (!to.writeQueueFull()) {
                                ex.resume(); // drained before the handler was set (we are not on its event loop)
                            }
                        }
                    }
                    case CANCEL -> abort.run();
                    default -> { }
                }
            }

            @Override
            public void onClosed(TunnelException error) {
                if (error != null) {
                    abort.run();
                }
            }
        });
    }

    static void fail(Exchange ex, int status, String message) {
        LOG.info("exchange failed ({}): {}", status, message);
        ex.send(Frames.error(status, message));
        ex.complete();
    }
}
