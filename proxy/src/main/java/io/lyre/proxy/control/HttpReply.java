package io.lyre.proxy.control;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/** A whole answer of the control API: status, content type and body (null for none). */
public record HttpReply(int status, String contentType, byte[] body) {
    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";

    public static HttpReply json(int status, JsonObject json) {
        return new HttpReply(status, JSON, json.encode().getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply empty(int status) {
        return new HttpReply(status, null, null);
    }

    /** Payload problems: HaRP's wording. */
    public static HttpReply payloadError(String detail) {
        return text(400, "Payload validation error: " + detail);
    }

    /** The body as text (empty when there is none). */
    public String bodyText() {
        return body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
