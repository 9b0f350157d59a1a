package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelProtocol;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Open;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetAddress;

/** An HTTP exchange relayed to a container (or loopback) with Vert.x, back-pressure both ways. */
final class HttpRelay {

    private HttpRelay() {
    }

    /** True for a Content-Length that fits one Data frame. */
    static boolean isSmall(String contentLength) {
        if (contentLength == null) {
            return false;
        }
        try {
            long n = Long.parseLong(contentLength.trim());
            return n >= 0 && n <= TunnelProtocol.MAX_CHUNK_BYTES;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static void start(HttpClient client, Open open, InetAddress target, Exchange ex) {
        RequestOptions ro = new RequestOptions().setMethod(HttpMethod.valueOf(open.getMethod().isEmpty() ? "GET" : open.getMethod()))
                .setHost(target.getHostAddress()).setPort(open.getPort()).setURI(open.getPath().isEmpty() ? "/" : open.getPath());
        for (Header h : open.getHeadersList()) {
            if (!HopByHop.is(h.getName())) {
                ro.addHeader(h.getName(), h.getValue());
            }
        }
        client.request(ro).onComplete(ar -> {
            if (ar.failed()) {
                Relays.fail(ex, 502, "cannot reach " + target.getHostAddress() + ":" + open.getPort() + ": " + ar.cause().getMessage());
                return;
            }
            HttpClientRequest req = ar.result();
            if (open.getHasBody() && !req.headers().contains("content-length")) {
                req.setChunked(true);
            }
            req.response().onComplete(rr -> {
                if (rr.failed()) {
                    Relays.fail(ex, 502, "upstream " + target.getHostAddress() + ":" + open.getPort() + " failed: " + rr.cause().getMessage());
                    return;
                }
                HttpClientResponse resp = rr.result();
                if (isSmall(resp.getHeader("content-length"))) {
                    // A small body of known size: head, whole body and end_of_stream as one message, instead of
                    // head, data..., end as separate ones.
                    resp.exceptionHandler(err -> Relays.fail(ex, 502, "upstream failed mid-response: " + err.getMessage()));
                    resp.body().onComplete(body -> {
                        if (body.failed()) {
                            Relays.fail(ex, 502, "upstream failed mid-response: " + body.cause().getMessage());
                            return;
                        }
                        ex.sendLast(Frames.headWithBody(resp.statusCode(), HopByHop.from(resp.headers()), Relays.bytes(body.result())));
                    });
                    return;
                }
                ex.send(Frames.head(resp.statusCode(), HopByHop.from(resp.headers())));
                Relays.pumpOut(resp, ex);
                resp.exceptionHandler(err -> Relays.fail(ex, 502, "upstream failed mid-response: " + err.getMessage()));
                resp.endHandler(v -> ex.end());
            });
            Relays.pumpIn(ex, req, req::reset);
            if (open.getHasBody()) {
                ex.resume();
            } else {
                req.end();
            }
        });
    }
}
