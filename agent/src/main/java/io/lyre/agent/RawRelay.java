package io.lyre.agent;

import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.ExchangeFrame;
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
            s.handler(buf -> {
                ex.sendData(Relays.bytes(buf), false);
                if (ex.writeQueueFull()) {
                    s.pause();
                    ex.drainHandler(s::resume);
                }
            });
            s.endHandler(v -> ex.end());
            s.exceptionHandler(err -> Relays.fail(ex, 502, "TCP upstream failed: " + err.getMessage()));
            ex.listener(new ExchangeListener() {
                @Override
                public void onFrame(ExchangeFrame f) {
                    switch (f.getFrameCase()) {
                        case DATA -> {
                            if (!f.getData().getPayload().isEmpty()) {
                                s.write(Relays.buffer(f.getData().getPayload()));
                            }
                            if (f.getData().getEndOfStream()) {
                                s.end();
                            } else if (s.writeQueueFull()) {
                                ex.pause();
                                s.drainHandler(v -> ex.resume());
                                if (!s.writeQueueFull()) {
                                    ex.resume(); // drained before the handler was set (we are not on its event loop)
                                }
                            }
                        }
                        case CANCEL -> s.close();
                        default -> { }
                    }
                }

                @Override
                public void onClosed(TunnelException error) {
                    if (error != null) {
                        s.close();
                    }
                }
            });
            ex.resume();
        });
    }
}
