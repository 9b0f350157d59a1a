package io.lyre.tunnel;

import io.lyre.tunnel.proto.ExchangeFrame;

/**
 * Receives what the other end sends on one exchange. Calls are never concurrent for one exchange, but
 * may come on a gRPC thread or on the thread that called {@link Exchange#resume()} / {@link Exchange#fetch}.
 * Do not block in them.
 */
public interface ExchangeListener {

    /** Called when this listener is installed on {@code exchange}, before any frame: keep it, pause it, ... */
    default void attached(Exchange exchange) {
    }

    /** One frame; no further frame comes while the exchange is paused. */
    void onFrame(ExchangeFrame frame);

    /**
     * The stream is over from the other end's side: {@code error} null when it finished sending normally
     * (after all its frames were delivered), else why it failed (its {@link TunnelException#httpStatus()}
     * is what to answer a caller still waiting). Called once.
     */
    void onClosed(TunnelException error);
}
