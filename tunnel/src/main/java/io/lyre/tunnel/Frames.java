package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import io.lyre.tunnel.proto.Cancel;
import io.lyre.tunnel.proto.Data;
import io.lyre.tunnel.proto.Error;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Reset;
import io.lyre.tunnel.proto.ResponseHead;
import io.lyre.tunnel.proto.WsFrame;
import java.util.List;
import java.util.Map;

/** Small factories for exchange frames. */
public final class Frames {

    private Frames() {
    }

    public static ExchangeFrame data(ByteString payload, boolean endOfStream) {
        return ExchangeFrame.newBuilder().setData(Data.newBuilder().setPayload(payload).setEndOfStream(endOfStream)).build();
    }

    public static ExchangeFrame end() {
        return data(ByteString.EMPTY, true);
    }

    public static ExchangeFrame head(int status, List<Header> headers) {
        return ExchangeFrame.newBuilder().setResponseHead(ResponseHead.newBuilder().setStatus(status).addAllHeaders(headers)).build();
    }

    /** A head with the whole (small) body and its end, as one message: see {@link ResponseHead#getBody()}. */
    public static ExchangeFrame headWithBody(int status, List<Header> headers, ByteString body) {
        return ExchangeFrame.newBuilder().setResponseHead(ResponseHead.newBuilder().setStatus(status).addAllHeaders(headers)
                .setBody(Data.newBuilder().setPayload(body).setEndOfStream(true))).build();
    }

    public static ExchangeFrame error(int status, String message) {
        return ExchangeFrame.newBuilder().setError(Error.newBuilder().setStatus(status).setMessage(message)).build();
    }

    /** Drops exchange {@code id} at the other end (this end already dropped it). */
    static ExchangeFrame reset(long id, int status, String message) {
        return ExchangeFrame.newBuilder().setId(id).setReset(Reset.newBuilder().setStatus(status).setMessage(message)).build();
    }

    public static ExchangeFrame cancel(String reason) {
        return ExchangeFrame.newBuilder().setCancel(Cancel.newBuilder().setReason(reason)).build();
    }

    public static ExchangeFrame ws(WsFrame.Type type, ByteString payload, boolean fin) {
        return ExchangeFrame.newBuilder().setWs(WsFrame.newBuilder().setType(type).setPayload(payload).setFinal(fin)).build();
    }

    public static ExchangeFrame wsClose(int code, String reason) {
        return ExchangeFrame.newBuilder().setWs(WsFrame.newBuilder().setType(WsFrame.Type.CLOSE)
                .setCloseCode(code).setCloseReason(reason == null ? "" : reason).setFinal(true)).build();
    }

    public static Header header(String name, String value) {
        return Header.newBuilder().setName(name).setValue(value).build();
    }

    public static List<Header> headers(Map<String, String> map) {
        return map.entrySet().stream().map(e -> header(e.getKey(), e.getValue())).toList();
    }
}
