package io.lyre.proxy.docker;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Reads Docker's /images/create NDJSON progress. Docker may answer 200 and only then report a failure as an
 * {"error": ...} line; AppAPI ignores such lines and its fallback from "tag-cuda" to "tag" needs a non-2xx
 * status (appapi.md §2.4, §7). So the front door holds the answer back until the pull has resolved its
 * manifest (a layer-level status appears) or ended, and turns an early error into 404/500.
 */
public final class PullProgress {
    private static final List<String> RESOLVED = List.of("pulling fs layer", "already exists", "waiting", "downloading",
            "download complete", "verifying checksum", "extracting", "pull complete", "digest:", "status:");

    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private String error;
    private boolean resolved;

    /** Feeds a chunk of the stream. */
    public void accept(byte[] chunk, int len) {
        for (int i = 0; i < len; i++) {
            byte b = chunk[i];
            if (b == '\n') {
                line(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else if (partial.size() < 1 << 20) {
                partial.write(b);
            }
        }
    }

    /** End of stream: a last line without newline counts too. */
    public void finish() {
        if (partial.size() > 0) {
            line(partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
    }

    private void line(String text) {
        String t = text.trim();
        if (!t.startsWith("{")) {
            return;
        }
        try {
            JsonObject json = new JsonObject(t);
            String e = json.getString("error");
            if (e == null && json.getJsonObject("errorDetail") != null) {
                e = json.getJsonObject("errorDetail").getString("message");
            }
            if (e != null && error == null) {
                error = e;
            }
            String status = json.getString("status");
            if (status != null && error == null) {
                String s = status.toLowerCase(Locale.ROOT);
                if (RESOLVED.stream().anyMatch(s::startsWith)) {
                    resolved = true;
                }
            }
        } catch (RuntimeException ignored) {
            // a progress line we cannot read does not decide anything
        }
    }

    public boolean failed() {
        return error != null;
    }

    public String error() {
        return error;
    }

    /** The manifest resolved: a missing tag can no longer fail this pull, so a 200 may be committed. */
    public boolean resolved() {
        return resolved;
    }

    /** The status a failed pull is answered with: 404 when the image or tag does not exist, else 500. */
    public static int statusFor(String error) {
        String e = error.toLowerCase(Locale.ROOT);
        return e.contains("not found") || e.contains("manifest unknown") || e.contains("does not exist")
                || e.contains("pull access denied") || e.contains("repository") && e.contains("denied") ? 404 : 500;
    }
}
