package io.lyre.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * An ExApp for front-door tests, on Vert.x: echoes what it received (/public, /user, /admin, /, /guarded),
 * answers late (/slow), streams (/stream), and echoes WebSocket messages (/ws).
 */
final class FakeExApp implements AutoCloseable {
    private final HttpServer server;

    FakeExApp(Vertx vertx) throws Exception {
        // WebSockets through toWebSocket(): a @QuarkusTest in the same JVM sets vertx.disableWebsockets,
        // which turns off server webSocketHandlers but not explicit upgrades
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/ws" -> req.toWebSocket().onSuccess(ws -> {
                    ws.textMessageHandler(ws::writeTextMessage);
                    ws.binaryMessageHandler(ws::writeBinaryMessage);
                }).onFailure(e -> req.response().setStatusCode(400).end());
                case "/slow" -> vertx.setTimer(5_000, id -> req.response().end("late"));
                case "/guarded" -> req.response().setStatusCode(401).end("no");
                case "/stream" -> {
                    req.response().setChunked(true);
                    for (int i = 0; i < 3; i++) {
                        req.response().write("chunk" + i + "\n");
                    }
                    req.response().end();
                }
                default -> req.body().onSuccess(body -> {
                    JsonObject headers = new JsonObject();
                    req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                    req.response().putHeader("content-type", "application/json").end(new JsonObject()
                            .put("path", req.path()).put("query", req.query()).put("method", req.method().name())
                            .put("body", body.toString()).put("headers", headers).encode());
                });
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
