package io.lyre.proxy.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;

/**
 * The request as it should reach the ExApp: path already rewritten (target path plus query), headers already
 * cleaned and signed. {@code body} is null when the request has none; {@code upgrade} is true for a
 * WebSocket (or other HTTP/1.1) upgrade.
 */
public record UpstreamRequest(HttpMethod method, String uri, MultiMap headers, ReadStream<Buffer> body, boolean upgrade) {
}
