package io.lyre.bench.tunnel;

import io.lyre.bench.Args;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@code --count} WebSockets gradually (at most {@code --in-flight} handshakes at once, at most
 * {@code --rate} per second), checks one echo on every 1000th, prints {@code IDLE_HELD n} and holds them
 * idle for {@code --hold-s}; then closes them all. Bounded by {@code --timeout-s} for the opening phase.
 */
final class WsIdle {

    private WsIdle() {
    }

    static void run(Args a) throws Exception {
        int port = a.integer("port", 0);
        int count = a.integer("count", 10_000);
        int rate = a.integer("rate", 1000);
        int hold = a.integer("hold-s", 20);
        int timeout = a.integer("timeout-s", 120);
        int spread = a.integer("spread", 0);
        int spreadBase = a.integer("spread-base", 0);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(count + 10)
                .setConnectTimeout(30_000).setIdleTimeout(0));
        List<WebSocket> open = new CopyOnWriteArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger echoed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(a.integer("in-flight", 100));
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(timeout);
        try {
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                long due = t0 + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                boolean probe = i % 1000 == 0;
                String uri = spread > 0 ? "/ws?bp=" + (spreadBase + 1 + i % spread) : "/ws";
                client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)).onComplete(ar -> {
                    inFlight.release();
                    if (ar.failed()) {
                        if (failed.incrementAndGet() <= 5) {
                            System.out.println("IDLE_FAIL " + ar.cause());
                        }
                        return;
                    }
                    open.add(ar.result());
                    if (probe) {
                        ar.result().textMessageHandler(m -> echoed.incrementAndGet());
                        ar.result().writeTextMessage("probe");
                    }
                });
                if (i > 0 && i % 2000 == 0) {
                    System.out.println("IDLE_PROGRESS " + open.size() + " open, " + failed.get() + " failed");
                }
            }
            // all handshakes finished (or failed), or the opening phase's time is up
            boolean settled = inFlight.tryAcquire(a.integer("in-flight", 100), Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!settled) {
                System.out.println("IDLE_TIMEOUT some handshakes did not finish within --timeout-s");
            }
            Thread.sleep(500);
            System.out.printf("IDLE_HELD %d failed=%d probes_echoed=%d open_seconds=%.1f%n", open.size(), failed.get(),
                    echoed.get(), (System.nanoTime() - t0) / 1e9);
            System.out.flush();
            Thread.sleep(hold * 1000L);
            int closed = 0;
            for (WebSocket ws : open) {
                if (ws.isClosed()) {
                    closed++;
                }
            }
            System.out.println("IDLE_END still_open=" + (open.size() - closed) + " closed_by_peer=" + closed);
            for (WebSocket ws : open) {
                ws.close();
            }
            Thread.sleep(1000);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
