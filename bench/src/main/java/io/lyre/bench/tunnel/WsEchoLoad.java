package io.lyre.bench.tunnel;

import io.lyre.bench.Args;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket echo throughput: {@code --connections} sockets, each keeping {@code --window} binary messages of
 * {@code --size} bytes in flight (a new one per echo received) for {@code --duration-s}; prints echoes/s.
 */
final class WsEchoLoad {

    private WsEchoLoad() {
    }

    static void run(Args a) throws Exception {
        int port = a.integer("port", 0);
        int conns = a.integer("connections", 16);
        int window = a.integer("window", 4);
        int size = a.integer("size", 64);
        int warmup = a.integer("warmup-s", 3);
        int duration = a.integer("duration-s", 10);
        String label = a.str("label", "path");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
        Buffer msg = Buffer.buffer(new byte[size]);
        AtomicLong echoes = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<WebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < conns; i++) {
                Future<WebSocket> f = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"));
                WebSocket ws = f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                sockets.add(ws);
                ws.binaryMessageHandler(b -> {
                    echoes.incrementAndGet();
                    if (!stop.get()) {
                        ws.writeBinaryMessage(msg);
                    }
                });
            }
            for (WebSocket ws : sockets) {
                ws.getClass(); // the writes must run on the socket's context
                vertx.runOnContext(v -> {
                    for (int k = 0; k < window; k++) {
                        ws.writeBinaryMessage(msg);
                    }
                });
            }
            Thread.sleep(warmup * 1000L);
            long e0 = echoes.get();
            long t0 = System.nanoTime();
            Thread.sleep(duration * 1000L);
            long e1 = echoes.get();
            double s = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            System.out.printf("WSECHO %s connections=%d window=%d size=%d seconds=%.2f echoes=%d msgps=%.0f%n",
                    label, conns, window, size, s, e1 - e0, (e1 - e0) / s);
            Thread.sleep(300);
            for (WebSocket ws : sockets) {
                ws.close();
            }
            Thread.sleep(300);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
