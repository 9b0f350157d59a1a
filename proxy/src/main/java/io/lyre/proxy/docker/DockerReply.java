package io.lyre.proxy.docker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/** A whole (small) answer of the Docker Engine API. */
public record DockerReply(int status, byte[] body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
        String t = text().trim();
        return t.startsWith("{") ? new JsonObject(t) : new JsonObject();
    }

    public JsonArray jsonArray() {
        String t = text().trim();
        return t.startsWith("[") ? new JsonArray(t) : new JsonArray();
    }

    /** Docker's error text: {"message": "..."} or the raw body. */
    public String message() {
        try {
            String m = json().getString("message");
            if (m != null) {
                return m;
            }
        } catch (RuntimeException e) {
            // not JSON
        }
        return text().trim();
    }
}
