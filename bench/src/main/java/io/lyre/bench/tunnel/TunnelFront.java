package io.lyre.bench.tunnel;

import com.google.protobuf.ByteString;
import io.lyre.bench.Args;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.TransportLoops;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.ResponseHead;
import io.lyre.tunnel.proto.WsFrame;
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The tunnel-only front: every HTTP request and WebSocket it receives goes through the in-process
 * {@link TunnelServer} to the one connected agent, which relays it to {@code --backend-host} (default the agent's
 * loopback) port {@code --backend-port}. With {@code --backend-host-file} the host is read from that file once it
 * exists (the front-door bench starts this front before the container whose address it learns later). No HaRP
 * logic (no auth, no routes): this measures the tunnel path alone, for both benchmarks.
 */
public final class TunnelFront {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    private final TunnelServer tunnel;
    private final int backendPort;
    private final Path backendHostFile;
    private volatile String backendHost;
    private volatile AgentConnection agent;

    private TunnelFront(TunnelServer tunnel, String backendHost, Path backendHostFile, int backendPort) {
        this.tunnel = tunnel;
        this.backendHost = backendHost;
        this.backendHostFile = backendHostFile;
        this.backendPort = backendPort;
    }

    public static void run(Args a) throws Exception {
        Path dataDir = Path.of(a.str("data-dir", null));
        TunnelServerConfig cfg = TunnelServerConfig.defaults(dataDir).withBind("127.0.0.1", a.integer("tunnel-port", 0));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(a.integer("event-loops", 2)).setPreferNativeTransport(true));
        // the tunnel's connections on the front's own loops, as the proxy runs them (ProxyCore)
        TunnelServer tunnel = new TunnelServer(cfg).eventLoops(TransportLoops.of(vertx.nettyEventLoopGroup())).start();
        Files.writeString(Path.of(a.str("token-file", null)), tunnel.createJoinToken(Duration.ofMinutes(30)).toString());
        System.out.println("TUNNEL_READY port=" + tunnel.port());
        System.out.flush();
        String hostFile = a.str("backend-host-file", "");
        TunnelFront front = new TunnelFront(tunnel, hostFile.isEmpty() ? a.str("backend-host", "127.0.0.1") : null,
                hostFile.isEmpty() ? null : Path.of(hostFile), a.integer("backend-port", 0));
        // One server instance per event loop, as Quarkus and the proxy's front door run it: Vert.x hands each
        // instance's connections to its own loop (a single instance would serve every client on one loop).
        int port = a.integer("port", 0) == 0 ? -1 : a.integer("port", 0); // -1: one random port, shared
        for (io.netty.util.concurrent.EventExecutor e : vertx.nettyEventLoopGroup()) {
            io.vertx.core.impl.ContextInternal ctx = ((io.vertx.core.impl.VertxInternal) vertx)
                    .createEventLoopContext((io.netty.channel.EventLoop) e, null, TunnelFront.class.getClassLoader());
            int bindPort = port;
            java.util.concurrent.CompletableFuture<Integer> bound = new java.util.concurrent.CompletableFuture<>();
            ctx.runOnContext(v -> vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(bindPort)
                            .setMaxWebSocketFrameSize(1 << 20).setAcceptBacklog(16384).setIdleTimeout(0))
                    .webSocketHandler(front::webSocket)
                    .requestHandler(front::request)
                    .listen().onComplete(r -> {
                        if (r.succeeded()) {
                            bound.complete(r.result().actualPort());
                        } else {
                            bound.completeExceptionally(r.cause());
                        }
                    }));
            int actual = bound.get(10, TimeUnit.SECONDS);
            if (port < 0) {
                port = actual;
            }
        }
        System.out.println("FRONT_LISTENING port=" + port);
        System.out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.integer("agent-wait-s", 120));
        while (front.agent == null && System.nanoTime() < deadline) {
            front.agent = tunnel.connections().stream().filter(c -> c.isOpen() && c.exchangesReady()).findFirst().orElse(null);
            Thread.sleep(50);
        }
        if (front.agent == null) {
            System.out.println("NO_AGENT");
            System.exit(1);
        }
        System.out.println("AGENT_READY " + front.agent.agent().name());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The backend's host; null while the host file does not exist yet. */
    private String backendHost() {
        String h = backendHost;
        if (h == null && backendHostFile != null && Files.isRegularFile(backendHostFile)) {
            try {
                h = Files.readString(backendHostFile).trim();
            } catch (java.io.IOException e) {
                h = "";
            }
            backendHost = h.isEmpty() ? null : h;
        }
        return backendHost;
    }

    private AgentConnection agent() {
        AgentConnection c = agent;
        if (c == null || !c.isOpen()) {
            c = tunnel.connections().stream().filter(AgentConnection::isOpen).findFirst().orElse(null);
            agent = c;
        }
        return c;
    }

    static List<Header> headers(MultiMap in, Set<String> drop) {
        List<Header> out = new ArrayList<>(in.size());
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey().toLowerCase();
            if (!HOP_BY_HOP.contains(n) && !drop.contains(n)) {
                out.add(Frames.header(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    static Buffer buffer(ByteString b) {
        return Buffer.buffer(Unpooled.wrappedBuffer(b.asReadOnlyByteBuffer()));
    }

    static ByteString bytes(Buffer b) {
        return com.google.protobuf.UnsafeByteOperations.unsafeWrap(b.getByteBuf().nioBuffer()); // as the proxy does
    }

    // ------------------------------------------------------------------ HTTP

    private void request(HttpServerRequest req) {
        String host = backendHost();
        if (host == null) {
            req.response().setStatusCode(503).end("no backend host yet\n");
            return;
        }
        AgentConnection c = agent();
        if (c == null) {
            req.response().setStatusCode(503).end("no agent\n");
            return;
        }
        String cl = req.getHeader("content-length");
        boolean hasBody = (cl != null && !cl.equals("0")) || req.getHeader("transfer-encoding") != null
                || (cl == null && (req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT));
        req.pause();
        HttpServerResponse resp = req.response();
        HttpListener listener = new HttpListener(resp);
        c.openHttp(host, backendPort, req.method().name(), req.uri(), headers(req.headers(), Set.of()), hasBody, listener)
                .whenComplete((ex, err) -> {
                    if (err != null) {
                        Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                        int status = t instanceof TunnelException te ? te.httpStatus() : 502;
                        resp.setStatusCode(status).end(t.getMessage() + "\n");
                        return;
                    }
                    resp.closeHandler(v -> {
                        if (!listener.ended) {
                            ex.cancel("client went away");
                        }
                    });
                    if (!hasBody) {
                        ex.complete();
                        return;
                    }
                    req.handler(buf -> {
                        ex.sendData(bytes(buf), false);
                        if (ex.writeQueueFull()) {
                            req.pause();
                            ex.drainHandler(req::resume);
                        }
                    });
                    req.endHandler(v -> ex.end());
                    req.resume();
                });
    }

    /** Tunnel → client for one HTTP exchange. Frames come on a gRPC thread; Vert.x's response is thread-safe. */
    private static final class HttpListener implements ExchangeListener {
        private final HttpServerResponse resp;
        private Exchange ex;
        volatile boolean ended;

        HttpListener(HttpServerResponse resp) {
            this.resp = resp;
        }

        @Override
        public void attached(Exchange exchange) {
            ex = exchange;
        }

        @Override
        public void onFrame(ExchangeFrame f) {
            switch (f.getFrameCase()) {
                case RESPONSE_HEAD -> {
                    ResponseHead h = f.getResponseHead();
                    resp.setStatusCode(h.getStatus());
                    boolean length = false;
                    for (Header hd : h.getHeadersList()) {
                        String n = hd.getName().toLowerCase();
                        if (!HOP_BY_HOP.contains(n)) {
                            resp.headers().add(hd.getName(), hd.getValue());
                            length |= n.equals("content-length");
                        }
                    }
                    if (!length) {
                        resp.setChunked(true);
                    }
                }
                case DATA -> {
                    if (!f.getData().getPayload().isEmpty()) {
                        batch.add(Unpooled.wrappedBuffer(f.getData().getPayload().asReadOnlyByteBuffer()));
                    }
                    if (f.getData().getEndOfStream()) {
                        writeBatch();
                        finish();
                    } else if (!flushScheduled) {
                        flushScheduled = true;
                        io.netty.util.internal.ThreadExecutorMap.currentExecutor().execute(this::writeBatchAndCheck);
                    }
                }
                case ERROR -> {
                    if (!resp.headWritten()) {
                        ended = true;
                        resp.setStatusCode(f.getError().getStatus()).end(f.getError().getMessage() + "\n");
                    } else {
                        ended = true;
                        resp.reset();
                    }
                }
                default -> { }
            }
        }

        // As the proxy's ExchangeBody: the chunks of one read from the tunnel go to the client as one write
        private final java.util.List<io.netty.buffer.ByteBuf> batch = new java.util.ArrayList<>();
        private boolean flushScheduled;

        private void writeBatch() {
            flushScheduled = false;
            if (batch.isEmpty()) {
                return;
            }
            io.netty.buffer.ByteBuf all = batch.size() == 1 ? batch.get(0)
                    : Unpooled.wrappedBuffer(batch.toArray(new io.netty.buffer.ByteBuf[0]));
            batch.clear();
            resp.write(Buffer.buffer(all));
        }

        private void writeBatchAndCheck() {
            if (ended) {
                return;
            }
            writeBatch();
            if (resp.writeQueueFull()) {
                ex.pause();
                resp.drainHandler(v -> ex.resume());
                if (!resp.writeQueueFull()) {
                    ex.resume();
                }
            }
        }

        private void finish() {
            if (!ended) {
                ended = true;
                resp.end();
            }
        }

        @Override
        public void onClosed(TunnelException error) {
            if (ended) {
                return;
            }
            ended = true;
            if (!resp.headWritten()) {
                resp.setStatusCode(error == null ? 502 : error.httpStatus()).end(error == null ? "no response\n" : error.getMessage() + "\n");
            } else if (error == null) {
                writeBatch();
                resp.end();
            } else {
                resp.reset();
            }
        }
    }

    // ------------------------------------------------------------------ WebSocket

    private void webSocket(ServerWebSocket ws) {
        String host = backendHost();
        AgentConnection c = host == null ? null : agent();
        if (c == null) {
            ws.reject(503);
            return;
        }
        ws.pause();
        Promise<Integer> handshake = Promise.promise();
        ws.setHandshake(handshake.future());
        WsListener l = new WsListener(ws, handshake);
        // ?bp=PORT picks another backend port (WsIdle --spread: works around the agent's per-endpoint WebSocket limit)
        int port = backendPort;
        String q = ws.query();
        if (q != null && q.startsWith("bp=")) {
            port = Integer.parseInt(q.substring(3));
        }
        c.openWebSocket(host, port, ws.uri(), headers(ws.headers(), Set.of("sec-websocket-key",
                        "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept", "host")), l)
                .whenComplete((ex, err) -> {
                    if (err != null) {
                        handshake.tryComplete(503);
                        return;
                    }
                    ws.frameHandler(fr -> {
                        WsFrame.Type t = switch (fr.type()) {
                            case TEXT -> WsFrame.Type.TEXT;
                            case BINARY -> WsFrame.Type.BINARY;
                            case CONTINUATION -> WsFrame.Type.CONTINUATION;
                            default -> null;
                        };
                        if (t != null) {
                            ex.send(Frames.ws(t, bytes(fr.binaryData()), fr.isFinal()));
                            if (ex.writeQueueFull()) {
                                ws.pause();
                                ex.drainHandler(ws::resume);
                            }
                        }
                    });
                    ws.closeHandler(v -> {
                        Short code = ws.closeStatusCode();
                        ex.send(Frames.wsClose(code == null ? 1000 : code, ws.closeReason()));
                        ex.complete();
                    });
                });
    }

    private static final class WsListener implements ExchangeListener {
        private final ServerWebSocket ws;
        private final Promise<Integer> handshake;
        private Exchange ex;

        WsListener(ServerWebSocket ws, Promise<Integer> handshake) {
            this.ws = ws;
            this.handshake = handshake;
        }

        @Override
        public void attached(Exchange exchange) {
            ex = exchange;
        }

        @Override
        public void onFrame(ExchangeFrame f) {
            switch (f.getFrameCase()) {
                case RESPONSE_HEAD -> {
                    int status = f.getResponseHead().getStatus();
                    handshake.tryComplete(status);
                    if (status == 101) {
                        ws.resume();
                    }
                }
                case ERROR -> handshake.tryComplete(f.getError().getStatus());
                case WS -> {
                    WsFrame w = f.getWs();
                    switch (w.getType()) {
                        case TEXT -> ws.writeFrame(WebSocketFrame.textFrame(w.getPayload().toString(StandardCharsets.UTF_8), w.getFinal()));
                        case BINARY -> ws.writeFrame(WebSocketFrame.binaryFrame(buffer(w.getPayload()), w.getFinal()));
                        case CONTINUATION -> ws.writeFrame(WebSocketFrame.continuationFrame(buffer(w.getPayload()), w.getFinal()));
                        case CLOSE -> {
                            if (!ws.isClosed()) {
                                ws.close((short) (w.getCloseCode() == 0 ? 1000 : w.getCloseCode()), w.getCloseReason());
                            }
                            return;
                        }
                        default -> {
                            return;
                        }
                    }
                    if (ws.writeQueueFull()) {
                        ex.pause();
                        ws.drainHandler(v -> ex.resume());
                        if (!ws.writeQueueFull()) {
                            ex.resume(); // drained before the handler was set
                        }
                    }
                }
                default -> { }
            }
        }

        @Override
        public void onClosed(TunnelException error) {
            handshake.tryComplete(error == null ? 502 : error.httpStatus());
            if (!ws.isClosed()) {
                ws.close();
            }
        }
    }
}
