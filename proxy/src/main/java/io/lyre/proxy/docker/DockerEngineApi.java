package io.lyre.proxy.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Raw JSON calls on one engine's Docker Engine API, as HaRP makes them (unversioned paths, so the engine
 * answers in its own default version). Blocking.
 */
public final class DockerEngineApi {
    private static final int MAX_BODY = 64 << 20;

    private final Engine engine;

    public DockerEngineApi(Engine engine) {
        this.engine = engine;
    }

    public Engine engine() {
        return engine;
    }

    public DockerReply get(String path) {
        return call("GET", path, null);
    }

    public DockerReply post(String path, JsonObject body) {
        return call("POST", path, body == null ? null : body.encode().getBytes(StandardCharsets.UTF_8));
    }

    public DockerReply delete(String path) {
        return call("DELETE", path, null);
    }

    public DockerReply call(String method, String path, byte[] body) {
        try (DockerHttpClient.Response r = open(method, path, body, Map.of())) {
            return new DockerReply(r.getStatusCode(), readAll(r.getBody()));
        } catch (IOException | RuntimeException e) {
            throw DockerEngineException.of(engine.slot(), e);
        }
    }

    public DockerReply putArchive(String path, byte[] tar) {
        try (DockerHttpClient.Response r = open("PUT", path, tar, Map.of("Content-Type", "application/x-tar"))) {
            return new DockerReply(r.getStatusCode(), readAll(r.getBody()));
        } catch (IOException | RuntimeException e) {
            throw DockerEngineException.of(engine.slot(), e);
        }
    }

    /** A streaming call; the caller closes the response. Transport failures become {@link DockerEngineException}. */
    public DockerHttpClient.Response open(String method, String path, byte[] body, Map<String, String> headers) {
        DockerHttpClient.Request.Builder b = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.valueOf(method)).path(path);
        if (body != null) {
            b.bodyBytes(body);
            if (!headers.containsKey("Content-Type")) {
                b.putHeader("Content-Type", "application/json");
            }
        }
        headers.forEach(b::putHeader);
        try {
            return engine.httpClient().execute(b.build());
        } catch (RuntimeException e) {
            throw DockerEngineException.of(engine.slot(), e);
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_BODY) {
                throw new IOException("Docker answer larger than " + MAX_BODY + " bytes");
            }
        }
        return out.toByteArray();
    }
}
