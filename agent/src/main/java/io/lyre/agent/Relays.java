package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
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
     *
     * <p>Called on a Vert.x context (the relays' loop), the frames of one read from the tunnel go to the upstream as
     * one write at the end of that turn, not one flushed write per 64 KiB frame (as the proxy's ExchangeBody does).
     */
    static void pumpIn(Exchange ex, WriteStream<Buffer> to, Runnable abort) {
        Context ctx = Vertx.currentContext();
        // frames batch only when they arrive on the context's own thread (the tunnel shares the relays' loop)
        Thread loop = ctx != null && ctx.isEventLoopContext() ? Thread.currentThread() : null;
        ex.listener(new ExchangeListener() {
            private final List<ByteBuf> batch = new ArrayList<>();
            private boolean scheduled;
            private boolean done;

            @Override
            public void onFrame(ExchangeFrame f) {
                switch (f.getFrameCase()) {
                    case DATA -> {
                        if (!f.getData().getPayload().isEmpty()) {
                            batch.add(Unpooled.wrappedBuffer(f.getData().getPayload().asReadOnlyByteBuffer()));
                        }
                        if (f.getData().getEndOfStream()) {
                            write();
                            done = true;
                            to.end();
                        } else if (Thread.currentThread() != loop) {
                            write();
                            checkQueue();
                        } else if (!scheduled) {
                            scheduled = true;
                            ctx.runOnContext(v -> {
                                scheduled = false;
                                if (!done) {
                                    write();
                                    checkQueue();
                                }
                            });
                        }
                    }
                    case CANCEL -> {
                        done = true;
                        batch.clear();
                        abort.run();
                    }
                    default -> { }
                }
            }

            private void write() {
                if (batch.isEmpty()) {
                    return;
                }
                ByteBuf all = batch.size() == 1 ? batch.get(0) : Unpooled.wrappedBuffer(batch.toArray(new ByteBuf[0]));
                batch.clear();
                to.write(Buffer.buffer(all));
            }

            private void checkQueue() {
                if (to.writeQueueFull()) {
                    ex.pause();
                    to.drainHandler(v -> ex.resume());
                    if (!to.writeQueueFull()) {
                        ex.resume(); // drained before the handler was set (we may not be on its event loop)
                    }
                }
            }

            @Override
            public void onClosed(TunnelException error) {
                if (error != null) {
                    done = true;
                    batch.clear();
                    abort.run();
                }
            }
        });
    }

    static void fail(Exchange ex, int status, String message) {
        LOG.info("exchange failed ({}): {}", status, message);
        ex.sendLast(Frames.error(status, message));
    }
}
