package io.lyre.bench.tunnel;

import io.lyre.bench.Args;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The server behind every path: a small fixed response, a bulk download, an upload sink and a WebSocket echo. */
final class Backend {

    static final Buffer HELLO = Buffer.buffer("hello, world\n");
    static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

    private Backend() {
    }

    static void run(Args a) throws Exception {
        int port = a.integer("port", 0);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(a.integer("event-loops", 2)));
        // --extra-ws-ports=N: WebSocket echo also on port+1..port+N (see WsIdle --spread)
        for (int i = 1; i <= a.integer("extra-ws-ports", 0); i++) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port + i).setIdleTimeout(0))
                    .webSocketHandler(ws -> ws.frameHandler(f -> {
                        if (f.isText() || f.isBinary() || f.isContinuation()) {
                            ws.writeFrame(f);
                        }
                    }))
                    .requestHandler(req -> req.response().end(HELLO))
                    .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        int bound = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                        .setMaxWebSocketFrameSize(1 << 20).setAcceptBacklog(16384).setIdleTimeout(0))
                .webSocketHandler(ws -> ws.frameHandler(f -> {
                    if (f.isText() || f.isBinary() || f.isContinuation()) {
                        ws.writeFrame(f);
                    }
                }))
                .requestHandler(req -> {
                    String path = req.path();
                    if (path.equals("/bulk")) {
                        String mib = req.getParam("mib");
                        long bytes = (mib == null ? 64 : Long.parseLong(mib)) << 20;
                        HttpServerResponse resp = req.response().putHeader("content-length", Long.toString(bytes))
                                .putHeader("content-type", "application/octet-stream");
                        stream(resp, bytes);
                    } else if (path.equals("/upload") && req.method() == HttpMethod.POST) {
                        AtomicLong n = new AtomicLong();
                        req.handler(b -> n.addAndGet(b.length()));
                        req.endHandler(v -> req.response().putHeader("content-type", "text/plain").end(n.get() + "\n"));
                    } else {
                        req.response().putHeader("content-type", "text/plain").end(HELLO);
                    }
                })
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.out.println("BACKEND_READY port=" + bound);
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Writes {@code left} bytes honouring the response's back-pressure. */
    private static void stream(HttpServerResponse resp, long left) {
        while (left > 0) {
            int n = (int) Math.min(CHUNK.length(), left);
            resp.write(n == CHUNK.length() ? CHUNK : CHUNK.getBuffer(0, n));
            left -= n;
            if (resp.writeQueueFull() && left > 0) {
                long rest = left;
                resp.drainHandler(v -> stream(resp, rest));
                return;
            }
        }
        resp.end();
    }
}
