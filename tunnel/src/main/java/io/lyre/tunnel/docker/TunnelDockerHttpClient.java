package io.lyre.tunnel.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeOutputStream;
import io.lyre.tunnel.ExchangeReader;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * docker-java's transport through the tunnel: each {@link #execute} is one DOCKER exchange that the agent
 * runs against its local engine. Response bodies stream (pull progress, logs, archives) with flow control.
 * Hijacked connections (attach with stdin) are not supported.
 *
 * <pre>
 * DockerClient docker = DockerClientImpl.getInstance(
 *     DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("tcp://lyre-agent:2375").build(),
 *     new TunnelDockerHttpClient(() -> server.connection(agentId)));
 * </pre>
 */
public final class TunnelDockerHttpClient implements DockerHttpClient {

    private final Supplier<Optional<AgentConnection>> connection;
    private final Duration headTimeout;

    /** {@code connection} is asked at each call, so calls go to whichever tunnel the agent has now. */
    public TunnelDockerHttpClient(Supplier<Optional<AgentConnection>> connection) {
        this(connection, Duration.ofMinutes(5));
    }

    public TunnelDockerHttpClient(Supplier<Optional<AgentConnection>> connection, Duration headTimeout) {
        this.connection = connection;
        this.headTimeout = headTimeout;
    }

    @Override
    public Response execute(Request request) {
        if (request.hijackedInput() != null) {
            throw new UnsupportedOperationException("hijacked Docker connections are not carried by the tunnel");
        }
        AgentConnection conn = connection.get()
                .orElseThrow(() -> new TunnelException(503, "the agent for this Docker engine is not connected"));
        List<Header> headers = new ArrayList<>();
        request.headers().forEach((k, v) -> headers.add(Frames.header(k, v)));
        InputStream body = request.body();
        byte[] bodyBytes = body == null ? request.bodyBytes() : null;
        boolean hasBody = body != null || bodyBytes != null;
        ExchangeReader reader = new ExchangeReader();
        Exchange ex;
        try {
            ex = conn.openDocker(request.method(), request.path(), headers, hasBody, reader)
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TunnelException te ? te : new TunnelException(502, e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new TunnelException(504, "no exchange stream from the agent within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(503, "interrupted");
        }
        if (hasBody) {
            try (ExchangeOutputStream out = new ExchangeOutputStream(ex)) {
                if (body != null) {
                    body.transferTo(out);
                } else {
                    out.write(bodyBytes);
                }
            } catch (IOException e) {
                ex.cancel("request body failed: " + e.getMessage());
                throw new UncheckedIOException(e);
            }
        } else {
            ex.complete();
        }
        ResponseHead head = reader.awaitHead(headTimeout);
        Map<String, List<String>> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : head.getHeadersList()) {
            responseHeaders.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
        }
        InputStream responseBody = reader.body();
        return new Response() {
            @Override
            public int getStatusCode() {
                return head.getStatus();
            }

            @Override
            public Map<String, List<String>> getHeaders() {
                return new LinkedHashMap<>(responseHeaders);
            }

            @Override
            public InputStream getBody() {
                return responseBody;
            }

            @Override
            public void close() {
                try {
                    responseBody.close();
                } catch (IOException ignored) {
                    // nothing left to release
                }
            }
        };
    }

    @Override
    public void close() {
        // Nothing to release: the tunnel belongs to the server.
    }
}
