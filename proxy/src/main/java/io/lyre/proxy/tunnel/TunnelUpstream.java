package io.lyre.proxy.tunnel;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.upstream.ExAppUpstream;
import io.lyre.proxy.upstream.RawStream;
import io.lyre.proxy.upstream.UpstreamException;
import io.lyre.proxy.upstream.UpstreamRequest;
import io.lyre.proxy.upstream.UpstreamResponse;
import io.lyre.proxy.upstream.UpstreamTarget;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.proto.ResponseHead;
import io.netty.buffer.Unpooled;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;


/**
 * {@link ExAppUpstream} through an agent: an HTTP exchange to the container's address on the agent's Docker
 * network, with back-pressure both ways (a paused client pauses the exchange, a full exchange pauses the
 * client's request). A WebSocket (any upgrade) goes as a raw exchange carrying the HTTP/1.1 bytes untouched,
 * exactly as the direct path relays them. No stream from the agent, or the agent gone, fails with CONNECT
 * (the front door answers 503); no response head within HP_TIMEOUT_SERVER with TIMEOUT (504).
 */
public final class TunnelUpstream implements ExAppUpstream {
    private static final int MAX_HEAD = 64 * 1024;

    private final Vertx vertx;
    private final long serverMillis;

    public TunnelUpstream(Vertx vertx, Duration serverTimeout) {
        this.vertx = vertx;
        this.serverMillis = Math.max(1, serverTimeout.toMillis());
    }

    /** Whether this upstream carries the target: its placement is on a tunnel engine. */
    public static boolean carries(UpstreamTarget target) {
        return target.placement().map(ExAppPlacement::engine).map(e -> e instanceof TunnelEngine).orElse(false);
    }

    @Override
    public Future<UpstreamResponse> send(UpstreamTarget target, UpstreamRequest request) {
        Engine engine = target.placement().map(ExAppPlacement::engine).orElse(null);
        String where = target.appId() + " at " + target.host() + ":" + target.port();
        if (!(engine instanceof TunnelEngine te)) {
            return Future.failedFuture(new UpstreamException(UpstreamException.Kind.CONNECT, where + " is not on a tunnel engine", null));
        }
        Optional<AgentConnection> conn = te.connection();
        if (conn.isEmpty()) {
            return Future.failedFuture(new UpstreamException(UpstreamException.Kind.CONNECT,
                    "agent " + te.name() + " serving " + target.appId() + " is not connected", null));
        }
        ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
        Call call = new Call(ctx, where, request.upgrade());
        List<Header> headers = new ArrayList<>();
        request.headers().forEach(h -> headers.add(Frames.header(h.getKey(), h.getValue())));
        if (request.upgrade()) {
            call.rawHead = requestHead(request, target).getBytes(StandardCharsets.ISO_8859_1);
            // a raw stream; its Upgrade header rides along in the Open frame for the proxy's own metrics
            // (lyre_tunnel_exchanges_total{kind="websocket"}): the agent's raw relay ignores Open headers
            Open open = Open.newBuilder().setKind(Open.Kind.RAW).setHost(target.host()).setPort(target.port()).setHasBody(true)
                    .addHeaders(Frames.header("upgrade", String.valueOf(request.headers().get("upgrade")))).build();
            conn.get().open(open, call).whenComplete((ex, err) -> ctx.emit(v -> call.opened(ex, err, null)));
        } else {
            ReadStream<Buffer> body = request.body();
            conn.get().openHttp(target.host(), target.port(), request.method().name(), request.uri(), headers, body != null, call)
                    .whenComplete((ex, err) -> ctx.emit(v -> call.opened(ex, err, body)));
        }
        return call.promise.future();
    }

    private static String requestHead(UpstreamRequest request, UpstreamTarget target) {
        StringBuilder b = new StringBuilder();
        b.append(request.method().name()).append(' ').append(request.uri()).append(" HTTP/1.1\r\n");
        if (!request.headers().contains("host")) {
            b.append("Host: ").append(target.host()).append(':').append(target.port()).append("\r\n");
        }
        for (Map.Entry<String, String> h : request.headers()) {
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /**
     * Bytes from Vert.x as a frame payload, without a copy: each handler gets a buffer of its own (Vert.x copies out of
     * Netty's pooled ones) that nothing writes to afterwards.
     */
    static ByteString payload(Buffer b) {
        return UnsafeByteOperations.unsafeWrap(b.getByteBuf().nioBuffer());
    }

    static UpstreamException failure(String where, Throwable err) {
        Throwable e = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof TunnelException t && t.httpStatus() == 504) {
            return new UpstreamException(UpstreamException.Kind.TIMEOUT, where + ": " + t.getMessage(), t);
        }
        return new UpstreamException(UpstreamException.Kind.CONNECT, where + " through the tunnel failed: " + e.getMessage(), e);
    }

    /**
     * One exchange, from open to end. All state is touched on {@code ctx} only. Frames arrive on the agent
     * connection's event loop: when that is the request's loop too they are handled at once, else they hop.
     */
    private final class Call implements ExchangeListener, UpstreamResponse {
        final ContextInternal ctx;
        final String where;
        final boolean raw;
        final Promise<UpstreamResponse> promise = Promise.promise();
        final ExchangeBody body;
        byte[] rawHead;
        volatile Exchange exchange;
        long timer = -1;
        int status;
        String statusMessage;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        boolean headDone;
        Buffer headBytes; // raw mode: bytes of the ExApp's response head so far
        long rawRemaining = -1; // raw mode, non-101 answer with Content-Length: body bytes still to come
        Handler<Void> closeHandler;
        boolean closed;

        Call(ContextInternal ctx, String where, boolean raw) {
            this.ctx = ctx;
            this.where = where;
            this.raw = raw;
            this.body = new ExchangeBody(ctx);
        }

        void opened(Exchange ex, Throwable err, ReadStream<Buffer> requestBody) {
            if (err != null) {
                promise.tryFail(failure(where, err));
                return;
            }
            if (!headDone) {
                timer = vertx.setTimer(serverMillis, id -> {
                    if (!headDone) {
                        ex.cancel("no answer within HP_TIMEOUT_SERVER");
                        promise.tryFail(new UpstreamException(UpstreamException.Kind.TIMEOUT, where + " did not answer in time", null));
                    }
                });
            }
            if (raw) {
                return; // the request head goes once the agent says it is connected
            }
            if (requestBody == null) {
                ex.complete();
                return;
            }
            requestBody.handler(buf -> {
                ex.sendData(payload(buf), false);
                if (ex.writeQueueFull()) {
                    requestBody.pause();
                    ex.drainHandler(() -> ctx.emit(v -> requestBody.resume()));
                }
            });
            requestBody.endHandler(v -> ex.end());
            requestBody.exceptionHandler(e -> ex.cancel("the client's request failed: " + e.getMessage()));
            requestBody.resume();
        }

        // ---- frames from the agent (the agent connection's loop): on the context, in order

        @Override
        public void attached(Exchange ex) {
            exchange = ex; // before any frame, so that frames handled before opened() can use it
            body.exchange(ex);
        }

        @Override
        public void onFrame(ExchangeFrame frame) {
            ctx.emit(frame, this::frame);
        }

        @Override
        public void onClosed(TunnelException error) {
            ctx.emit(error, this::closed);
        }

        private void frame(ExchangeFrame f) {
            switch (f.getFrameCase()) {
                case RESPONSE_HEAD -> head(f.getResponseHead());
                case DATA -> {
                    if (!f.getData().getPayload().isEmpty()) {
                        data(Buffer.buffer(Unpooled.wrappedBuffer(f.getData().getPayload().asReadOnlyByteBuffer()))); // immutable: no copy
                    }
                }
                case ERROR -> closed(new TunnelException(f.getError().getStatus() == 0 ? 502 : f.getError().getStatus(),
                        f.getError().getMessage()));
                case CANCEL -> closed(new TunnelException(502, "the agent cancelled: " + f.getCancel().getReason()));
                default -> { }
            }
        }

        private void head(ResponseHead h) {
            if (raw) {
                // the agent connected to the container: now the HTTP/1.1 request bytes
                if (exchange != null && rawHead != null) {
                    exchange.sendData(ByteString.copyFrom(rawHead), false);
                    rawHead = null;
                    headBytes = Buffer.buffer();
                }
                return;
            }
            if (headDone) {
                return;
            }
            status = h.getStatus();
            for (Header x : h.getHeadersList()) {
                headers.add(x.getName(), x.getValue());
            }
            answered();
        }

        private void answered() {
            headDone = true;
            vertx.cancelTimer(timer);
            if (!raw || status != 101) {
                body.pause(); // until the front door pipes it, as DirectUpstream's response
            }
            promise.tryComplete(this);
        }

        private void data(Buffer b) {
            if (!raw || headDone) {
                bodyBytes(b);
                return;
            }
            headBytes.appendBuffer(b);
            String text = headBytes.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                if (headBytes.length() > MAX_HEAD) {
                    exchange.cancel("response head too large");
                    closed(new TunnelException(502, "the ExApp's response head is larger than " + MAX_HEAD + " bytes"));
                }
                return;
            }
            String[] lines = text.substring(0, end).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (RuntimeException e) {
                exchange.cancel("bad response");
                closed(new TunnelException(502, "the ExApp answered the upgrade with '" + lines[0] + "'"));
                return;
            }
            statusMessage = statusLine.length > 2 ? statusLine[2] : null;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
                }
            }
            if (status != 101 && headers.get("content-length") != null) {
                try {
                    rawRemaining = Long.parseLong(headers.get("content-length").trim());
                } catch (NumberFormatException ignored) {
                    // read to the end of the stream
                }
            }
            Buffer rest = headBytes.getBuffer(end + 4, headBytes.length());
            headBytes = null;
            answered();
            if (rest.length() > 0 || rawRemaining == 0) {
                bodyBytes(rest);
            }
        }

        private void bodyBytes(Buffer b) {
            if (rawRemaining >= 0) {
                if (b.length() > rawRemaining) {
                    b = b.getBuffer(0, (int) rawRemaining);
                }
                rawRemaining -= b.length();
                if (b.length() > 0) {
                    body.push(b);
                }
                if (rawRemaining == 0 && !body.ended()) {
                    body.end(null);
                    exchange.cancel("response complete");
                }
                return;
            }
            body.push(b);
        }

        private void closed(TunnelException error) {
            vertx.cancelTimer(timer);
            if (!headDone) {
                promise.tryFail(error == null
                        ? new UpstreamException(UpstreamException.Kind.CONNECT, where + " closed before answering", null)
                        : failure(where, error));
            }
            body.end(error);
            if (!closed) {
                closed = true;
                if (closeHandler != null) {
                    closeHandler.handle(null);
                }
            }
        }

        // ---- UpstreamResponse

        @Override
        public int statusCode() {
            return status;
        }

        @Override
        public String statusMessage() {
            return statusMessage;
        }

        @Override
        public MultiMap headers() {
            return headers;
        }

        @Override
        public ReadStream<Buffer> body() {
            return body;
        }

        @Override
        public Future<RawStream> upgraded() {
            return Future.succeededFuture(new RawStream() {
                @Override
                public ReadStream<Buffer> reader() {
                    return body;
                }

                @Override
                public WriteStream<Buffer> writer() {
                    return new ExchangeWriter(ctx, exchange);
                }

                @Override
                public void closeHandler(Handler<Void> handler) {
                    closeHandler = handler;
                    if (closed) {
                        handler.handle(null);
                    }
                }

                @Override
                public Future<Void> close() {
                    if (exchange != null && !exchange.isClosed()) {
                        exchange.cancel("closed by the proxy");
                    }
                    return Future.succeededFuture();
                }
            });
        }

        @Override
        public void reset() {
            if (exchange != null) {
                exchange.cancel("the client went away");
            }
        }
    }

    /** Bytes to the agent on one exchange, as a Vert.x WriteStream whose queue is the exchange's flow control. */
    static final class ExchangeWriter implements WriteStream<Buffer> {
        private final ContextInternal ctx;
        private final Exchange ex;

        ExchangeWriter(ContextInternal ctx, Exchange ex) {
            this.ctx = ctx;
            this.ex = ex;
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            return ex.sendData(payload(data), false) ? Future.succeededFuture()
                    : Future.failedFuture("the tunnel exchange is closed");
        }

        @Override
        public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
            Future<Void> f = write(data);
            if (handler != null) {
                f.onComplete(handler);
            }
        }

        @Override
        public void end(Handler<AsyncResult<Void>> handler) {
            ex.end();
            if (handler != null) {
                handler.handle(Future.succeededFuture());
            }
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return ex.writeQueueFull();
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            if (handler != null) {
                ex.drainHandler(() -> ctx.emit(handler));
            }
            return this;
        }
    }

}
