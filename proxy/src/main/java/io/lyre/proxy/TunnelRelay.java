package io.lyre.proxy;

import io.lyre.proxy.upstream.RawStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;

/**
 * Relays an upgraded connection (a WebSocket) byte for byte between the client and the ExApp, with
 * back-pressure both ways, and closes both sides after HP_TIMEOUT_TUNNEL without traffic (HAProxy's
 * "timeout tunnel").
 */
final class TunnelRelay {
    private final Vertx vertx;
    private final NetSocket client;
    private final RawStream app;
    private final long idleMillis;
    private volatile long lastActivity = System.currentTimeMillis();
    private volatile boolean closed;
    private long timer = -1;
    private final Runnable onClose;

    TunnelRelay(Vertx vertx, NetSocket client, RawStream app, Duration idle) {
        this(vertx, client, app, idle, () -> { });
    }

    /** {@code onClose} runs once, when both sides are closed. */
    TunnelRelay(Vertx vertx, NetSocket client, RawStream app, Duration idle, Runnable onClose) {
        this.onClose = onClose;
        this.vertx = vertx;
        this.client = client;
        this.app = app;
        this.idleMillis = Math.max(1, Math.min(idle.toMillis(), Long.MAX_VALUE / 4));
    }

    void start() {
        relay(client, app.writer());
        relay(app.reader(), client);
        client.closeHandler(v -> close());
        app.closeHandler(v -> close());
        client.exceptionHandler(e -> close());
        app.reader().exceptionHandler(e -> close());
        schedule(idleMillis);
    }

    private void relay(ReadStream<Buffer> from, WriteStream<Buffer> to) {
        from.handler(buf -> {
            lastActivity = System.currentTimeMillis();
            to.write(buf);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.endHandler(v -> close());
        from.resume();
    }

    private void schedule(long delay) {
        timer = vertx.setTimer(Math.max(1, delay), id -> {
            long quiet = System.currentTimeMillis() - lastActivity;
            if (closed) {
                return;
            }
            if (quiet >= idleMillis) {
                close();
            } else {
                schedule(idleMillis - quiet);
            }
        });
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        client.close();
        app.close();
        onClose.run();
    }
}
