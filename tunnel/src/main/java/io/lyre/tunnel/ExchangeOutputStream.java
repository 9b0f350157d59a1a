package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Writes a body into an exchange as Data frames, blocking while the exchange's write queue is full, so a
 * fast producer runs at the speed of the far reader. {@link #close()} sends end-of-stream and completes
 * this end of the exchange.
 */
public final class ExchangeOutputStream extends OutputStream {

    private final Exchange exchange;
    private boolean closed;

    public ExchangeOutputStream(Exchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, TunnelProtocol.MAX_CHUNK_BYTES);
            awaitWritable();
            if (!exchange.sendData(ByteString.copyFrom(b, off, n), false)) {
                throw new IOException("exchange with " + exchange.peer() + " is closed");
            }
            off += n;
            len -= n;
        }
    }

    private void awaitWritable() throws IOException {
        while (exchange.writeQueueFull()) {
            CountDownLatch ready = new CountDownLatch(1);
            exchange.drainHandler(ready::countDown);
            try {
                // The timeout only re-checks for a stream that closed while we waited.
                ready.await(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            if (exchange.isClosed()) {
                throw new IOException("exchange with " + exchange.peer() + " is closed");
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            exchange.end();
        }
    }
}
