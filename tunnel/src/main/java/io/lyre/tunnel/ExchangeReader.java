package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.ResponseHead;
import io.lyre.tunnel.proto.WsFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking consumer of one exchange, for callers that want threads instead of callbacks (docker-java,
 * tests, command-line tools): the response head as a future, the body as an {@link InputStream}, WebSocket
 * frames one by one. It asks the exchange for a frame only when one was consumed, so at most a few frames
 * wait here however slow the reader is.
 */
public final class ExchangeReader implements ExchangeListener {

    private static final int AHEAD = 4;
    private static final Object EOF = new Object();

    private final CompletableFuture<ResponseHead> head = new CompletableFuture<>();
    private final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile Exchange exchange;

    /** Installed as the exchange's listener: switches it to fetch mode, a few frames ahead. */
    @Override
    public void attached(Exchange ex) {
        this.exchange = ex;
        ex.pause();
        ex.fetch(AHEAD);
    }

    public Exchange exchange() {
        return exchange;
    }

    @Override
    public void onFrame(ExchangeFrame f) {
        switch (f.getFrameCase()) {
            case RESPONSE_HEAD -> {
                head.complete(f.getResponseHead());
                exchange.fetch(1);
            }
            case DATA -> {
                ByteString p = f.getData().getPayload();
                if (!p.isEmpty()) {
                    items.add(p);
                }
                if (f.getData().getEndOfStream()) {
                    items.add(EOF);
                }
                if (p.isEmpty() && !f.getData().getEndOfStream()) {
                    exchange.fetch(1);
                }
            }
            case WS -> items.add(f.getWs());
            case ERROR -> failWith(new TunnelException(f.getError().getStatus(), f.getError().getMessage()));
            case CANCEL -> failWith(new TunnelException(502, "cancelled by the other end: " + f.getCancel().getReason()));
            default -> exchange.fetch(1);
        }
    }

    @Override
    public void onClosed(TunnelException error) {
        if (error != null) {
            failWith(error);
        } else {
            head.completeExceptionally(new TunnelException(502, "exchange ended without a response head"));
            items.add(EOF);
        }
    }

    private void failWith(TunnelException e) {
        head.completeExceptionally(e);
        items.add(e);
    }

    /** Waits for the response head; throws the exchange's failure (with its HTTP status) instead. */
    public ResponseHead awaitHead(Duration timeout) {
        try {
            return head.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TunnelException te ? te : new TunnelException(502, e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            exchange.cancel("no response head within " + timeout);
            throw new TunnelException(504, "no response from the agent within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(503, "interrupted");
        }
    }

    /**
     * The next WebSocket frame, or null when the exchange ended (or nothing came within the timeout: check
     * {@link Exchange#isClosed()}).
     */
    public WsFrame nextWsFrame(Duration timeout) throws InterruptedException {
        Object o = items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (o == null || o == EOF) {
            if (o == EOF) {
                items.add(EOF);
            }
            return null;
        }
        if (o instanceof TunnelException te) {
            items.add(te);
            throw te;
        }
        exchange.fetch(1);
        return o instanceof WsFrame w ? w : null;
    }

    /** The body; closing it before the end cancels the exchange. Errors surface as {@link TunnelIOException}. */
    public InputStream body() {
        return new Body();
    }

    /** An IOException that keeps the tunnel's HTTP status. */
    public static final class TunnelIOException extends IOException {
        private final int httpStatus;

        public TunnelIOException(TunnelException e) {
            super(e.getMessage(), e);
            this.httpStatus = e.httpStatus();
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final class Body extends InputStream {
        private ByteString current = ByteString.EMPTY;
        private int pos;
        private boolean eof;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.size() - pos);
            current.copyTo(b, pos, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current.size() - pos;
        }

        private boolean fill() throws IOException {
            while (pos >= current.size()) {
                if (eof || closed) {
                    return false;
                }
                Object o;
                try {
                    o = items.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                if (o == EOF) {
                    eof = true;
                    return false;
                }
                if (o instanceof TunnelException te) {
                    items.add(te);
                    throw new TunnelIOException(te);
                }
                if (o instanceof ByteString bs) {
                    current = bs;
                    pos = 0;
                }
                exchange.fetch(1);
            }
            return true;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (eof) {
                if (exchange.side() == Exchange.Side.PROXY) {
                    exchange.complete(); // the proxy's part is done too: let the call close
                }
            } else {
                exchange.cancel("reader closed the body before its end");
            }
        }
    }
}
