package io.lyre.bench.frontdoor;

import com.google.protobuf.ByteString;
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
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The "straight through the tunnel" path: a Vert.x HTTP front whose every request goes through an in-process
 * {@link TunnelServer} to its one agent, which relays it to {@code --backend-host:--backend-port} (the ExApp
 * container's address on the agent's Docker network). No HaRP logic: no key, metadata, session or route checks,
 * and no headers added (the load client sends the four ExApp headers itself). The HTTP half of the tunnel bench's
 * TunnelFront, with a backend host instead of loopback.
 */
final class DirectTunnelFront {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    private final TunnelServer tunnel;
    private final Path backendHostFile;
    private volatile String backendHost;
    private final int backendPort;
    private volatile AgentConnection agent;

    private DirectTunnelFront(TunnelServer tunnel, String backendHost, Path backendHostFile, int backendPort) {
        this.tunnel = tunnel;
        this.backendHost = backendHost;
        this.backendHostFile = backendHostFile;
        this.backendPort = backendPort;
    }

    static void run(FrontDoorBenchMain.Opts a) throws Exception {
        Path dataDir = Path.of(a.str("data-dir", null));
        TunnelServerConfig cfg = TunnelServerConfig.defaults(dataDir).withBind("127.0.0.1", a.integer("tunnel-port", 0));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(a.integer("event-loops", 2)).setPreferNativeTransport(true));
        // the tunnel's connections on the front's own loops, as the proxy runs them (ProxyCore)
        TunnelServer tunnel = new TunnelServer(cfg).eventLoops(TransportLoops.of(vertx.nettyEventLoopGroup())).start();
        Files.writeString(Path.of(a.str("token-file", null)), tunnel.createJoinToken(Duration.ofMinutes(30)).toString());
        System.out.println("TUNNEL_READY port=" + tunnel.port());
        System.out.flush();
        // --backend-host-file: the host is read from that file at the first request after it exists (the script starts
        // this front before the ExApp container, whose address it learns later)
        String hostFile = a.str("backend-host-file", "");
        DirectTunnelFront front = new DirectTunnelFront(tunnel, hostFile.isEmpty() ? a.str("backend-host", "127.0.0.1") : null,
                hostFile.isEmpty() ? null : Path.of(hostFile), a.integer("backend-port", 0));
        int port = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(a.integer("port", 0))
                        .setAcceptBacklog(16384).setIdleTimeout(0))
                .requestHandler(front::request)
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.out.println("FRONT_LISTENING port=" + port);
        System.out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.integer("agent-wait-s", 120));
        while (front.agent == null && System.nanoTime() < deadline) {
            front.agent = tunnel.connections().stream().filter(c -> c.isOpen() && c.idleStreams() > 0).findFirst().orElse(null);
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

    private AgentConnection agent() {
        AgentConnection c = agent;
        if (c == null || !c.isOpen()) {
            c = tunnel.connections().stream().filter(AgentConnection::isOpen).findFirst().orElse(null);
            agent = c;
        }
        return c;
    }

    private static List<Header> headers(MultiMap in) {
        List<Header> out = new ArrayList<>(in.size());
        for (Map.Entry<String, String> e : in) {
            if (!HOP_BY_HOP.contains(e.getKey().toLowerCase())) {
                out.add(Frames.header(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private static Buffer buffer(ByteString b) {
        return Buffer.buffer(Unpooled.wrappedBuffer(b.asReadOnlyByteBuffer()));
    }

    private static ByteString bytes(Buffer b) {
        return ByteString.copyFrom(b.getByteBuf().nioBuffer());
    }

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
        c.openHttp(host, backendPort, req.method().name(), req.uri(), headers(req.headers()), hasBody, listener)
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
                        resp.write(buffer(f.getData().getPayload()));
                    }
                    if (f.getData().getEndOfStream()) {
                        finish();
                    } else if (resp.writeQueueFull()) {
                        ex.pause();
                        resp.drainHandler(v -> ex.resume());
                    }
                }
                case ERROR -> {
                    ended = true;
                    if (!resp.headWritten()) {
                        resp.setStatusCode(f.getError().getStatus()).end(f.getError().getMessage() + "\n");
                    } else {
                        resp.reset();
                    }
                }
                default -> { }
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
                resp.end();
            } else {
                resp.reset();
            }
        }
    }
}
