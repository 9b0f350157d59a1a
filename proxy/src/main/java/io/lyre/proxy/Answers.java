package io.lyre.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** HaRP's fixed answers (harp.md §1.5): plain-text bodies, and the silent drop. */
final class Answers {
    static final String UNAUTHORIZED = "401 Unauthorized";
    static final String FORBIDDEN = "403 Forbidden";
    static final String NOT_FOUND = "404 Not Found";
    static final String UNAVAILABLE = "503 Service Unavailable (HaRP)";
    /** HAProxy's own page when the server cannot be reached or times out (not HaRP's "(HaRP)" one). */
    static final String BACKEND_DOWN = "503 Service Unavailable";
    static final String BACKEND_TIMEOUT = "504 Gateway Time-out";

    private Answers() {
    }

    static void text(HttpServerRequest req, int status, String body) {
        HttpServerResponse r = req.response();
        if (r.ended() || r.closed() || r.headWritten()) {
            return;
        }
        r.setStatusCode(status).putHeader("content-type", "text/plain").putHeader("cache-control", "no-cache").end(body);
    }

    /** HAProxy's silent-drop: the connection goes away without a response. */
    static void drop(HttpServerRequest req) {
        req.connection().close();
    }
}
