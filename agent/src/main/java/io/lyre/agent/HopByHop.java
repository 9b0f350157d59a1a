package io.lyre.agent;

import io.lyre.tunnel.Frames;
import io.lyre.tunnel.proto.Header;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Headers that belong to one connection, not to the message: never relayed. */
final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");
    private static final Set<String> WEBSOCKET = Set.of("sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-accept", "sec-websocket-protocol", "host");

    private HopByHop() {
    }

    static boolean is(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    static boolean isWebSocketHandshake(String name) {
        return WEBSOCKET.contains(name.toLowerCase(Locale.ROOT)) || is(name);
    }

    static List<Header> from(MultiMap headers) {
        List<Header> out = new ArrayList<>();
        if (headers == null) {
            return out; // a WebSocket's handshake headers, read after Vert.x dropped them
        }
        headers.forEach(e -> {
            if (!is(e.getKey())) {
                out.add(Frames.header(e.getKey(), e.getValue()));
            }
        });
        return out;
    }
}
