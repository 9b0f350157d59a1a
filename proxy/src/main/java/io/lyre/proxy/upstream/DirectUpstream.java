package io.lyre.proxy.upstream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * {@link ExAppUpstream} over a plain TCP connection from the proxy to the container (same host: the
 * container's IP on its bridge network, or the metadata host). HP_TIMEOUT_CONNECT bounds the connect,
 * HP_TIMEOUT_SERVER the silence while waiting for the ExApp, as in HaRP's HAProxy backends.
 */
public final class DirectUpstream implements ExAppUpstream {
    private final HttpClient client;
    private final long connectMillis;
    private final long serverMillis;

    public DirectUpstream(Vertx vertx, Duration connectTimeout, Duration serverTimeout) {
        this.connectMillis = Math.max(1, connectTimeout.toMillis());
        this.serverMillis = Math.max(1, serverTimeout.toMillis());
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectMillis))
                        .setMaxInitialLineLength(16384).setMaxHeaderSize(65536),
                new PoolOptions().setHttp1MaxSize(256));
    }

    @Override
    public Future<UpstreamResponse> send(UpstreamTarget target, UpstreamRequest request) {
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(target.host())
                .setPort(target.port()).setURI(request.uri()).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()))
                .setConnectTimeout(connectMillis).setIdleTimeout(serverMillis);
        String where = target.appId() + " at " + target.host() + ":" + target.port();
        return client.request(options)
                .recover(e -> Future.failedFuture(new UpstreamException(UpstreamException.Kind.CONNECT,
                        "cannot connect to " + where + ": " + e.getMessage(), e)))
                .compose(req -> {
                    Future<HttpClientResponse> answer;
                    if (request.upgrade()) {
                        answer = req.connect();
                    } else if (request.body() == null) {
                        answer = req.send();
                    } else {
                        answer = req.send(request.body());
                    }
                    return answer.<UpstreamResponse>map(resp -> new DirectResponse(req, resp))
                            .recover(e -> Future.failedFuture(e instanceof TimeoutException
                                    ? new UpstreamException(UpstreamException.Kind.TIMEOUT, where + " did not answer in time", e)
                                    : new UpstreamException(UpstreamException.Kind.CONNECT, where + " failed: " + e.getMessage(), e)));
                });
    }

    public void close() {
        client.close();
    }

    private static final class DirectResponse implements UpstreamResponse {
        private final HttpClientRequest request;
        private final HttpClientResponse response;

        DirectResponse(HttpClientRequest request, HttpClientResponse response) {
            this.request = request;
            this.response = response;
            if (response.statusCode() != 101) {
                response.pause();
            }
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public String statusMessage() {
            return response.statusMessage();
        }

        @Override
        public MultiMap headers() {
            return response.headers();
        }

        @Override
        public ReadStream<Buffer> body() {
            return response;
        }

        @Override
        public Future<RawStream> upgraded() {
            return Future.succeededFuture(new NetSocketStream(response.netSocket()));
        }

        @Override
        public void reset() {
            request.reset();
        }
    }

    /** A Vert.x NetSocket seen as a {@link RawStream}. */
    public static final class NetSocketStream implements RawStream {
        private final NetSocket socket;

        public NetSocketStream(NetSocket socket) {
            this.socket = socket;
        }

        @Override
        public ReadStream<Buffer> reader() {
            return socket;
        }

        @Override
        public WriteStream<Buffer> writer() {
            return socket;
        }

        @Override
        public void closeHandler(Handler<Void> handler) {
            socket.closeHandler(handler);
        }

        @Override
        public Future<Void> close() {
            return socket.close();
        }
    }
}
