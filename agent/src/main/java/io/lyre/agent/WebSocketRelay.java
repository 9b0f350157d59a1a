package io.lyre.agent;

import com.google.protobuf.ByteString;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeListener;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.proto.WsFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket session relayed frame by frame (text, binary, continuation, ping, pong, close). */
final class WebSocketRelay {

    private WebSocketRelay() {
    }

    static void start(WebSocketClient client, Open open, InetAddress target, Exchange ex) {
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(target.getHostAddress()).setPort(open.getPort())
                .setURI(open.getPath().isEmpty() ? "/" : open.getPath());
        for (Header h : open.getHeadersList()) {
            if (h.getName().equalsIgnoreCase("sec-websocket-protocol")) {
                for (String p : h.getValue().split(",")) {
                    o.addSubProtocol(p.trim());
                }
            } else if (!HopByHop.isWebSocketHandshake(h.getName())) {
                o.addHeader(h.getName(), h.getValue());
            }
        }
        client.connect(o).onComplete(ar -> {
            if (ar.failed()) {
                int status = ar.cause() instanceof UpgradeRejectedException u ? u.getStatus() : 502;
                Relays.fail(ex, status, "WebSocket upgrade to " + target.getHostAddress() + ":" + open.getPort()
                        + " failed: " + ar.cause().getMessage());
                return;
            }
            WebSocket ws = ar.result();
            List<Header> headers = new ArrayList<>(HopByHop.from(ws.headers()));
            if (ws.subProtocol() != null) {
                headers.add(Frames.header("sec-websocket-protocol", ws.subProtocol()));
            }
            ex.send(Frames.head(101, headers));
            ws.frameHandler(f -> {
                WsFrame.Type type = switch (f.type()) {
                    case TEXT -> WsFrame.Type.TEXT;
                    case BINARY -> WsFrame.Type.BINARY;
                    case CONTINUATION -> WsFrame.Type.CONTINUATION;
                    default -> null; // ping is answered by Vert.x, pong and close have their own handlers
                };
                if (type == null) {
                    return;
                }
                ex.send(Frames.ws(type, Relays.bytes(f.binaryData()), f.isFinal()));
                if (ex.writeQueueFull()) {
                    ws.pause();
                    ex.drainHandler(ws::resume);
                }
            });
            ws.pongHandler(b -> ex.send(Frames.ws(WsFrame.Type.PONG, ByteString.copyFrom(b.getBytes()), true)));
            ws.closeHandler(v -> {
                Short code = ws.closeStatusCode();
                ex.send(Frames.wsClose(code == null ? 1005 : code, ws.closeReason()));
                ex.complete();
            });
            ws.exceptionHandler(err -> Relays.fail(ex, 502, "WebSocket upstream failed: " + err.getMessage()));
            ex.listener(new ExchangeListener() {
                @Override
                public void onFrame(ExchangeFrame f) {
                    if (f.getFrameCase() == ExchangeFrame.FrameCase.CANCEL) {
                        ws.close();
                        return;
                    }
                    if (f.getFrameCase() != ExchangeFrame.FrameCase.WS) {
                        return;
                    }
                    if (ws.isClosed()) {
                        return; // closing: frames after the close handshake are dropped
                    }
                    WsFrame w = f.getWs();
                    Buffer payload = Relays.buffer(w.getPayload());
                    switch (w.getType()) {
                        case TEXT -> ws.writeFrame(WebSocketFrame.textFrame(w.getPayload().toString(StandardCharsets.UTF_8), w.getFinal()));
                        case BINARY -> ws.writeFrame(WebSocketFrame.binaryFrame(payload, w.getFinal()));
                        case CONTINUATION -> ws.writeFrame(WebSocketFrame.continuationFrame(payload, w.getFinal()));
                        case PING -> ws.writePing(payload);
                        case PONG -> ws.writePong(payload);
                        case CLOSE -> {
                            ws.close((short) (w.getCloseCode() == 0 ? 1000 : w.getCloseCode()), w.getCloseReason());
                            return;
                        }
                        default -> { }
                    }
                    if (ws.writeQueueFull()) {
                        ex.pause();
                        ws.drainHandler(v -> ex.resume());
                        if (!ws.writeQueueFull()) {
                            ex.resume(); // drained before the handler was set (we are not on its event loop)
                        }
                    }
                }

                @Override
                public void onClosed(TunnelException error) {
                    if (error != null) {
                        ws.close();
                    }
                }
            });
            ex.resume();
        });
    }
}
