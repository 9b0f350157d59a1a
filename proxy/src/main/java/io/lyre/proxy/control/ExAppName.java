package io.lyre.proxy.control;

import io.vertx.core.json.JsonObject;

/**
 * HaRP's ExAppName: app id plus AppAPI's (always empty) instance id and role suffix, and the container and
 * volume names derived from them (harp.md §2.5).
 */
public record ExAppName(String name, String instanceId, String roleSuffix) {

    public static ExAppName from(JsonObject body) {
        Object name = body.getValue("name");
        if (!(name instanceof String n) || n.isEmpty()) {
            throw new PayloadException(name == null ? "name: field required" : "name: a non-empty string is required");
        }
        if (!n.matches("[A-Za-z0-9_.-]+")) {
            throw new PayloadException("name: only letters, digits, '_', '.' and '-' are allowed");
        }
        return new ExAppName(n, optional(body, "instance_id"), optional(body, "role_suffix"));
    }

    private static String optional(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s) || !s.matches("[A-Za-z0-9_.-]*")) {
            throw new PayloadException(field + ": a string of letters, digits, '_', '.' or '-' is required");
        }
        return s;
    }

    private String base() {
        return "nc_app_" + (instanceId.isEmpty() ? "" : instanceId + "_") + name;
    }

    public String containerName() {
        return base() + (roleSuffix.isEmpty() ? "" : "_" + roleSuffix);
    }

    public String volumeName() {
        return base() + "_data";
    }

    /** A request body field that does not validate: answered 400 "Payload validation error: ...". */
    public static final class PayloadException extends RuntimeException {
        public PayloadException(String message) {
            super(message);
        }
    }
}
