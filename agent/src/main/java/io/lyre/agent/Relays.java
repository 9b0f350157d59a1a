package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every relay does when it cannot go on: an Error frame with an HTTP-style status, then done. */
final class Relays {

    private static final Logger LOG = LoggerFactory.getLogger(Relays.class);

    private Relays() {
    }

    static void fail(Exchange ex, int status, String message) {
        LOG.info("exchange failed ({}): {}", status, message);
        ex.send(Frames.error(status, message));
        ex.complete();
    }
}
