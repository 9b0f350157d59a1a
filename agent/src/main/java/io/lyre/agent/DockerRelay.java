package io.lyre.agent;

import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeOutputStream;
import io.lyre.tunnel.ExchangeReader;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Open;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A Docker Engine API call against the local engine. Blocking I/O on a worker thread (Docker calls are
 * few), streamed both ways through {@link ExchangeReader} / {@link ExchangeOutputStream}, which block on
 * flow control instead of buffering.
 */
final class DockerRelay {

    private static final Set<String> SKIP = Set.of("host", "content-length", "connection", "transfer-encoding");

    private DockerRelay() {
    }

    static void start(DockerHttpClient docker, Executor workers, Open open, Exchange ex) {
        ExchangeReader requestBody = new ExchangeReader();
        ex.listener(requestBody);
        workers.execute(() -> run(docker, open, ex, requestBody));
    }

    private static void run(DockerHttpClient docker, Open open, Exchange ex, ExchangeReader requestBody) {
        DockerHttpClient.Request.Method method;
        try {
            method = DockerHttpClient.Request.Method.valueOf(open.getMethod());
        } catch (IllegalArgumentException e) {
            Relays.fail(ex, 405, "Docker API method not supported: " + open.getMethod());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : open.getHeadersList()) {
            if (!SKIP.contains(h.getName().toLowerCase())) {
                headers.put(h.getName(), h.getValue());
            }
        }
        var b = DockerHttpClient.Request.builder().method(method).path(open.getPath()).headers(headers);
        if (open.getHasBody()) {
            b.body(requestBody.body());
        }
        try (DockerHttpClient.Response r = docker.execute(b.build())) {
            List<Header> out = new ArrayList<>();
            r.getHeaders().forEach((k, vs) -> {
                if (k != null && !HopByHop.is(k)) {
                    vs.forEach(v -> out.add(Frames.header(k, v)));
                }
            });
            ex.send(Frames.head(r.getStatusCode(), out));
            InputStream in = r.getBody();
            try (ExchangeOutputStream body = new ExchangeOutputStream(ex)) {
                if (in != null) {
                    in.transferTo(body);
                }
            }
        } catch (Exception e) {
            Relays.fail(ex, 502, "Docker engine: " + e.getMessage());
        }
    }
}
