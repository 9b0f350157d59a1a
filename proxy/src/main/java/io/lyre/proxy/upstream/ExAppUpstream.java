package io.lyre.proxy.upstream;

import io.vertx.core.Future;

/**
 * Carries one HTTP exchange (or a WebSocket upgrade) to an ExApp's container and back, streaming both ways
 * with back-pressure. {@link DirectUpstream} connects to the container itself; the tunnel implements it with
 * an agent exchange.
 */
public interface ExAppUpstream {

    /**
     * Sends the request head, then pipes {@code request.body()} (when there is one) to the ExApp. Completes when
     * the response head has arrived. For an upgrade request ({@link UpstreamRequest#upgrade()}), a 101 answer
     * gives access to the raw byte stream through {@link UpstreamResponse#upgraded()}.
     *
     * Fails with {@link UpstreamException}: {@code CONNECT} when the app cannot be reached within
     * HP_TIMEOUT_CONNECT (the front door answers 503), {@code TIMEOUT} when no response head came within
     * HP_TIMEOUT_SERVER (504).
     */
    Future<UpstreamResponse> send(UpstreamTarget target, UpstreamRequest request);
}
