package io.lyre.proxy.tunnel;

import io.lyre.tunnel.Exchange;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;

/**
 * The bytes an agent sends on one exchange as a Vert.x {@link ReadStream}, on one Vert.x context. Back-pressure
 * reaches the agent: while this stream has no demand the exchange is paused, which closes the HTTP/2 window of
 * that exchange only. At most the few frames already requested wait here.
 *
 * <p>Chunks are handed on at the end of the event-loop turn that brought them, the ones that came together as one
 * buffer (no copy): the client's connection gets one flushed write per read from the tunnel instead of one per
 * 64 KiB frame, which was half the front door's CPU in a bulk download. The end is handed on at once, with
 * whatever waits before it.
 */
final class ExchangeBody implements ReadStream<Buffer> {
    private final Context context;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private Exchange exchange;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private long demand = Long.MAX_VALUE;
    private boolean ended;
    private boolean delivering;
    private boolean deliveryScheduled;
    private static final Object END = new Object();

    ExchangeBody(Context context) {
        this.context = context;
    }

    /** On the context: the exchange to pause and resume. */
    void exchange(Exchange ex) {
        this.exchange = ex;
        if (demand == 0) {
            ex.pause();
        }
    }

    /** On the context. */
    void push(Buffer b) {
        if (!ended) {
            queue.add(b);
            if (!deliveryScheduled) {
                deliveryScheduled = true;
                context.runOnContext(v -> {
                    deliveryScheduled = false;
                    deliver();
                });
            }
        }
    }

    /** On the context: the end of the bytes (null) or why they stopped. */
    void end(Throwable failure) {
        if (!ended) {
            ended = true;
            queue.add(failure == null ? END : failure);
            deliver();
        }
    }

    boolean ended() {
        return ended;
    }

    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!queue.isEmpty()) {
                Object next = queue.peek();
                if (next instanceof Buffer first) {
                    if (demand == 0 || handler == null) {
                        break;
                    }
                    queue.poll();
                    Buffer b = first;
                    if (queue.peek() instanceof Buffer) { // chunks that came together go on as one
                        CompositeByteBuf all = Unpooled.compositeBuffer(Integer.MAX_VALUE);
                        all.addComponent(true, first.getByteBuf());
                        while (queue.peek() instanceof Buffer more) {
                            queue.poll();
                            all.addComponent(true, more.getByteBuf());
                        }
                        b = Buffer.buffer(all);
                    }
                    if (demand != Long.MAX_VALUE) {
                        demand--;
                    }
                    try {
                        handler.handle(b);
                    } catch (IllegalStateException gone) {
                        // The client's response is already over (it went away): stop the exchange, don't write into it.
                        ended = true;
                        queue.clear();
                        if (exchange != null) {
                            exchange.cancel("client gone");
                        }
                        return;
                    }
                } else {
                    queue.poll();
                    if (next == END) {
                        if (endHandler != null) {
                            endHandler.handle(null);
                        }
                    } else if (exceptionHandler != null) {
                        exceptionHandler.handle((Throwable) next);
                    } else if (endHandler != null) {
                        endHandler.handle(null);
                    }
                }
            }
        } finally {
            delivering = false;
        }
        if (exchange != null) {
            if (demand == 0) {
                exchange.pause();
            }
        }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
        this.exceptionHandler = h;
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
        this.handler = h;
        if (h != null) {
            context.runOnContext(v -> deliver());
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        if (exchange != null) {
            exchange.pause();
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        demand = amount == Long.MAX_VALUE || demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
        if (exchange != null) {
            if (demand == Long.MAX_VALUE) {
                exchange.resume();
            } else {
                exchange.fetch(amount);
            }
        }
        context.runOnContext(v -> deliver());
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
        this.endHandler = h;
        return this;
    }
}
