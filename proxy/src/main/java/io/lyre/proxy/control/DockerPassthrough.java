package io.lyre.proxy.control;

import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.proxy.docker.DockerApiAllowList;
import io.lyre.proxy.docker.DockerApiVersions;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerEngineException;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.PullProgress;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The raw Docker Engine API passthrough under /exapps/app_api/ when docker-engine-port is given (harp.md §2.3):
 * HaRP's allow-list, the caller's API version lowered to what the engine speaks, streamed answers, and pulls
 * whose in-stream errors become non-2xx statuses.
 */
public final class DockerPassthrough {
    private static final Logger LOG = Logger.getLogger(DockerPassthrough.class);
    /** HAProxy's built-in page for "http-request deny". */
    static final String DENIED = "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n";
    private static final Set<String> COPIED_HEADERS = Set.of("content-type", "api-version", "docker-experimental",
            "ostype", "server", "content-length");
    private static final int HOLD_BACK_LIMIT = 1 << 20;

    private final Vertx vertx;
    private final DockerApiVersions versions;

    public DockerPassthrough(Vertx vertx, DockerApiVersions versions) {
        this.vertx = vertx;
        this.versions = versions;
    }

    public static boolean allowed(HttpServerRequest req, String targetPath) {
        return DockerApiAllowList.allows(req.method().name(), targetPath);
    }

    public static void deny(HttpServerResponse response) {
        response.setStatusCode(403).putHeader("content-type", "text/html").putHeader("cache-control", "no-cache")
                .end(DENIED);
    }

    /** Forwards an allowed request (the body already read) to the engine and streams the answer back. */
    public void forward(HttpServerRequest req, Buffer body, Engine engine, String targetPath) {
        HttpServerResponse response = req.response();
        String method = req.method().name();
        String query = req.query();
        Map<String, String> headers = new HashMap<>();
        for (String h : List.of("X-Registry-Auth", "Content-Type")) {
            String v = req.getHeader(h);
            if (v != null) {
                headers.put(h, v);
            }
        }
        boolean pull = DockerApiAllowList.isPull(method, targetPath);
        ResponsePump pump = new ResponsePump(response);
        vertx.executeBlocking(() -> {
            String path = versions.rewrite(engine, targetPath) + (query == null ? "" : "?" + query);
            try (DockerHttpClient.Response r = new DockerEngineApi(engine).open(method, path,
                    body.length() == 0 ? null : body.getBytes(), headers)) {
                if (pull && r.getStatusCode() / 100 == 2) {
                    relayPull(r, response, pump);
                } else {
                    head(r, response);
                    pump.copy(r.getBody());
                    response.end();
                }
            }
            return null;
        }, false).onFailure(e -> {
            DockerEngineException d = DockerEngineException.of(engine.slot(), e);
            LOG.debugf("docker passthrough %s %s on %s: %s", method, targetPath, engine, e.toString());
            if (!response.headWritten()) {
                response.setStatusCode(d.httpStatus()).putHeader("content-type", HttpReply.TEXT).end(d.answer());
            } else {
                response.reset();
            }
        });
    }

    private static void head(DockerHttpClient.Response r, HttpServerResponse response) {
        response.setStatusCode(r.getStatusCode());
        boolean sized = false;
        for (Map.Entry<String, List<String>> h : r.getHeaders().entrySet()) {
            if (h.getKey() != null && COPIED_HEADERS.contains(h.getKey().toLowerCase())) {
                response.putHeader(h.getKey(), h.getValue());
                sized |= h.getKey().equalsIgnoreCase("content-length");
            }
        }
        if (!sized) {
            response.setChunked(true);
        }
    }

    /**
     * Holds the 200 back until the manifest resolved, so that "tag not found" reported inside the stream
     * still becomes a 404 AppAPI can fall back on. An error after that point aborts the connection: the
     * client sees a broken transfer rather than a clean end.
     */
    private static void relayPull(DockerHttpClient.Response r, HttpServerResponse response, ResponsePump pump) throws Exception {
        PullProgress progress = new PullProgress();
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        boolean committed = false;
        InputStream in = r.getBody();
        byte[] buf = new byte[8192];
        int n;
        while (in != null && !pump.clientGone() && (n = in.read(buf)) >= 0) {
            progress.accept(buf, n);
            if (committed) {
                pump.write(buf, n);
                continue;
            }
            held.write(buf, 0, n);
            if (!progress.failed() && (progress.resolved() || held.size() > HOLD_BACK_LIMIT)) {
                response.setStatusCode(200).putHeader("content-type", "application/json").setChunked(true);
                byte[] h = held.toByteArray();
                pump.write(h, h.length);
                committed = true;
            }
        }
        progress.finish();
        if (!committed) {
            if (progress.failed()) {
                response.setStatusCode(PullProgress.statusFor(progress.error())).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("message", progress.error()).encode());
            } else {
                response.setStatusCode(200).putHeader("content-type", "application/json").end(Buffer.buffer(held.toByteArray()));
            }
        } else if (progress.failed()) {
            LOG.warnf("pull failed after it had started streaming: %s", progress.error());
            response.reset();
        } else {
            response.end();
        }
    }
}
