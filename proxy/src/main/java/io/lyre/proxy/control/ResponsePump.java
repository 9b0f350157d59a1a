package io.lyre.proxy.control;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Copies a blocking InputStream (a Docker answer) into a Vert.x response from a worker thread, waiting for the
 * response's write queue to drain so that a slow client slows the engine down instead of filling memory.
 */
final class ResponsePump {
    private final HttpServerResponse response;
    private final Semaphore drained = new Semaphore(0);
    private volatile boolean clientGone;

    ResponsePump(HttpServerResponse response) {
        this.response = response;
        response.closeHandler(v -> {
            clientGone = true;
            drained.release();
        });
    }

    boolean clientGone() {
        return clientGone;
    }

    /** Writes one chunk, then blocks while the client is behind. */
    void write(byte[] data, int len) throws InterruptedException {
        if (clientGone) {
            return;
        }
        response.write(Buffer.buffer(len).appendBytes(data, 0, len));
        while (response.writeQueueFull() && !clientGone) {
            response.drainHandler(v -> drained.release());
            if (response.writeQueueFull()) {
                drained.tryAcquire(1, TimeUnit.SECONDS);
            }
        }
    }

    /** Copies to the end of the stream (or until the client leaves). */
    void copy(InputStream in) throws IOException, InterruptedException {
        if (in == null) {
            return;
        }
        byte[] buf = new byte[16384];
        int n;
        while (!clientGone && (n = in.read(buf)) >= 0) {
            if (n > 0) {
                write(buf, n);
            }
        }
    }
}
