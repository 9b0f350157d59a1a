package io.lyre.proxy.upstream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/** A bidirectional byte stream after an HTTP upgrade (a WebSocket, relayed frame bytes untouched). */
public interface RawStream {
    ReadStream<Buffer> reader();

    WriteStream<Buffer> writer();

    /** Called once when the stream closes from either side. */
    void closeHandler(Handler<Void> handler);

    Future<Void> close();
}
