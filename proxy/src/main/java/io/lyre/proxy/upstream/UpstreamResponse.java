package io.lyre.proxy.upstream;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** The ExApp's answer: head first, then the body as a stream (or, after a 101, the raw upgraded stream). */
public interface UpstreamResponse {
    int statusCode();

    String statusMessage();

    MultiMap headers();

    /** The body; paused until piped. Not used after a 101. */
    ReadStream<Buffer> body();

    /** After a 101 answer to an upgrade request: the bytes both ways from now on. */
    Future<RawStream> upgraded();

    /** Gives up on the exchange (the client went away). */
    void reset();
}
