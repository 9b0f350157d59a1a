package io.lyre.agent;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The apps behind the agent in end-to-end tests: an HTTP server (JDK) with /hello, /echo (streams the
 * request body back), /generate/N (N bytes as fast as the reader takes them) and /sse (5 events, 200 ms
 * apart); and a WebSocket echo server (Vert.x) that echoes text and binary frames.
 */
final class EchoServers implements AutoCloseable {

    final HttpServer http;
    final Vertx vertx = Vertx.vertx();
    final int wsPort;

    EchoServers() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo-http");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/hello", ex -> {
            byte[] b = ("hello " + ex.getRequestMethod()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        http.createContext("/echo", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            }
        });
        http.createContext("/generate/", ex -> {
            long n = Long.parseLong(ex.getRequestURI().getPath().substring("/generate/".length()));
            ex.sendResponseHeaders(200, n);
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = ex.getResponseBody()) {
                for (long left = n; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            } catch (java.io.IOException gone) {
                // the reader went away
            }
        });
        http.createContext("/sse", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 5; i++) {
                    out.write(("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        http.start();
        wsPort = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(ws -> ws.frameHandler(f -> {
                    if (f.isText() || f.isBinary() || f.isContinuation()) {
                        ws.writeFrame(f);
                    }
                }))
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    int httpPort() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        vertx.close();
    }
}
