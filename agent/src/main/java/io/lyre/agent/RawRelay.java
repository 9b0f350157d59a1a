package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.proto.Open;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.util.List;

/** A raw TCP byte stream: ResponseHead 200 once connected, then Data both ways. */
final class RawRelay {

    private RawRelay() {
    }

    static void start(NetClient client, Open open, InetAddress target, Exchange ex) {
        client.connect(open.getPort(), target.getHostAddress()).onComplete(ar -> {
            if (ar.failed()) {
                Relays.fail(ex, 502, "cannot connect to " + target.getHostAddress() + ":" + open.getPort() + ": "
                        + ar.cause().getMessage());
                return;
            }
            NetSocket s = ar.result();
            ex.send(Frames.head(200, List.of()));
            Relays.pumpOut(s, ex);
            s.endHandler(v -> ex.end());
            s.exceptionHandler(err -> Relays.fail(ex, 502, "TCP upstream failed: " + err.getMessage()));
            Relays.pumpIn(ex, s, s::close);
            ex.resume();
        });
    }
}
