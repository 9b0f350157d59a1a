package io.lyre.proxy.exapp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What the proxy knows of one ExApp: the body of {@code exapp_storage} and of Nextcloud's {@code exapp-meta}
 * (appapi.md §3.1). {@code host}/{@code port} are AppAPI's idea of where the app listens; the placement
 * (where Lyre created the container) overrides the host when it is known.
 */
public record ExAppMetadata(String exappToken, String exappVersion, String host, int port, List<ExAppRoute> routes) {

    /** A body that does not match the schema (HaRP's pydantic validation error). */
    public static final class InvalidMetadataException extends RuntimeException {
        public InvalidMetadataException(String message) {
            super(message);
        }
    }

    /** Validates like HaRP's pydantic model: required fields with their types; unknown fields are ignored. */
    public static ExAppMetadata fromJson(JsonObject json) {
        String token = string(json, "exapp_token");
        String version = string(json, "exapp_version");
        String host = string(json, "host");
        int port = integer(json.getValue("port"), "port");
        Object routesValue = json.getValue("routes");
        if (!(routesValue instanceof JsonArray array)) {
            throw new InvalidMetadataException("routes: a list is required");
        }
        List<ExAppRoute> routes = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof JsonObject r)) {
                throw new InvalidMetadataException("routes." + i + ": an object is required");
            }
            String url = string(r, "url", "routes." + i + ".url");
            int level = integer(r.getValue("access_level"), "routes." + i + ".access_level");
            AccessLevel access;
            try {
                access = AccessLevel.of(level);
            } catch (IllegalArgumentException e) {
                throw new InvalidMetadataException("routes." + i + ".access_level: " + e.getMessage());
            }
            List<Integer> bp = new ArrayList<>();
            Object bpValue = r.getValue("bruteforce_protection");
            if (bpValue != null) {
                if (!(bpValue instanceof JsonArray bpArray)) {
                    throw new InvalidMetadataException("routes." + i + ".bruteforce_protection: a list of integers is required");
                }
                for (int j = 0; j < bpArray.size(); j++) {
                    bp.add(integer(bpArray.getValue(j), "routes." + i + ".bruteforce_protection." + j));
                }
            }
            routes.add(ExAppRoute.of(url, access, bp));
        }
        return new ExAppMetadata(token, version, host, port, List.copyOf(routes));
    }

    private static String string(JsonObject json, String field) {
        return string(json, field, field);
    }

    private static String string(JsonObject json, String field, String label) {
        Object v = json.getValue(field);
        if (!(v instanceof String s)) {
            throw new InvalidMetadataException(label + (v == null ? ": field required" : ": a string is required"));
        }
        return s;
    }

    /** pydantic's lax int: an integer, or a string holding one; not a float with a fraction, not a bool. */
    private static int integer(Object v, String label) {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e9) {
            return n.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new InvalidMetadataException(label + (v == null ? ": field required" : ": an integer is required"));
    }
}
