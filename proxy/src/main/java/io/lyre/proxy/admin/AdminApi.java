package io.lyre.proxy.admin;

import io.lyre.devices.Device;
import io.lyre.proxy.ProxyCore;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.tunnel.TunnelEngine;
import io.lyre.proxy.tunnel.TunnelHost;
import io.lyre.scheduler.Explanation;
import io.lyre.scheduler.ledger.Reservation;
import io.lyre.scheduler.policy.PlacementPolicy;
import io.lyre.scheduler.policy.PolicyJson;
import io.lyre.scheduler.policy.PolicyValidationException;
import io.lyre.scheduler.recovery.Drainer;
import io.lyre.scheduler.store.SchedulerEvent;
import io.lyre.scheduler.store.StoredPlacement;
import io.lyre.tunnel.server.AgentRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The admin REST API, /api/v1/..., on the management port only (127.0.0.1:8783 by default, never the public
 * 8780): join tokens, agents, engines with their devices and allocations, placements, events, policies,
 * explain and drain. Errors are JSON: {"error": "..."} with 400 for bad input and 404 for unknown names.
 */
public final class AdminApi {
    private static final Logger LOG = Logger.getLogger(AdminApi.class);
    private static final Duration MAX_TTL = Duration.ofDays(30);

    private final Vertx vertx;
    private final Supplier<ProxyCore> cores;

    /** {@code core} is asked at each request: the Quarkus router is built before the proxy starts. */
    public AdminApi(Vertx vertx, Supplier<ProxyCore> core) {
        this.vertx = vertx;
        this.cores = core;
    }

    private ProxyCore core() {
        ProxyCore c = cores.get();
        if (c == null) {
            throw new BadInput(503, "the proxy is starting");
        }
        return c;
    }

    /** Mounts the routes on {@code router} (Quarkus's management router, or a test's own). */
    public void mount(Router router) {
        router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(1 << 20));
        router.post("/api/v1/join-tokens").handler(ctx -> blocking(ctx, () -> joinToken(ctx)));
        router.get("/api/v1/agents").handler(ctx -> blocking(ctx, this::agents));
        router.delete("/api/v1/agents/:id").handler(ctx -> blocking(ctx, () -> revoke(ctx.pathParam("id"))));
        router.get("/api/v1/engines").handler(ctx -> blocking(ctx, this::engines));
        router.post("/api/v1/engines/:id/drain").handler(ctx -> blocking(ctx, () -> drain(ctx.pathParam("id"))));
        router.get("/api/v1/placements").handler(ctx -> blocking(ctx, this::placements));
        router.get("/api/v1/events").handler(ctx -> blocking(ctx, () -> events(ctx)));
        router.get("/api/v1/policies").handler(ctx -> blocking(ctx, this::policies));
        router.get("/api/v1/policies/:app").handler(ctx -> blocking(ctx, () -> policy(ctx.pathParam("app"))));
        router.put("/api/v1/policies/:app").handler(ctx -> blocking(ctx, () -> putPolicy(ctx)));
        router.delete("/api/v1/policies/:app").handler(ctx -> blocking(ctx, () -> deletePolicy(ctx.pathParam("app"))));
        router.get("/api/v1/explain/:app").handler(ctx -> blocking(ctx, () -> explain(ctx)));
        router.route("/api/v1/*").last().handler(ctx -> send(ctx, Reply.error(404, "no such admin endpoint: "
                + ctx.request().method() + " " + ctx.request().path())));
    }

    /** A JSON (or text) answer. */
    record Reply(int status, Object body, String contentType) {
        static Reply json(int status, Object body) {
            return new Reply(status, body, "application/json");
        }

        static Reply error(int status, String message) {
            return json(status, new JsonObject().put("error", message));
        }
    }

    static final class BadInput extends RuntimeException {
        final int status;

        BadInput(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void blocking(RoutingContext ctx, Callable<Reply> work) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                send(ctx, ar.result());
            } else if (ar.cause() instanceof BadInput b) {
                send(ctx, Reply.error(b.status, b.getMessage()));
            } else if (ar.cause() instanceof PolicyValidationException p) {
                send(ctx, Reply.json(400, new JsonObject().put("error", p.getMessage()).put("errors", new JsonArray(List.copyOf(p.errors())))));
            } else {
                LOG.warnf(ar.cause(), "admin %s %s failed", ctx.request().method(), ctx.request().path());
                send(ctx, Reply.error(500, "internal error: " + ar.cause()));
            }
        });
    }

    private static void send(RoutingContext ctx, Reply r) {
        var resp = ctx.response().setStatusCode(r.status());
        if (r.body() == null) {
            resp.end();
            return;
        }
        resp.putHeader("content-type", r.contentType());
        resp.end(r.body() instanceof JsonObject o ? o.encodePrettily() : r.body() instanceof JsonArray a ? a.encodePrettily()
                : r.body().toString());
    }

    private TunnelHost tunnel() {
        return core().tunnel().orElseThrow(() -> new BadInput(409, "the tunnel is off (LYRE_TUNNEL_ADDRESS=off): no agents"));
    }

    private Reply joinToken(RoutingContext ctx) {
        String ttlText = ctx.request().getParam("ttl", "24h");
        Duration ttl = parseTtl(ttlText);
        String token = tunnel().server().createJoinToken(ttl).toString();
        return Reply.json(201, new JsonObject().put("token", token).put("ttl_seconds", ttl.toSeconds()));
    }

    static Duration parseTtl(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.matches("\\d{1,9}[smhd]")) {
            throw new BadInput(400, "ttl: expected a number with a unit s, m, h or d (such as 30m or 24h), got '" + text + "'");
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        Duration d = switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(MAX_TTL) > 0) {
            throw new BadInput(400, "ttl: must be more than 0 and at most 30d, got '" + text + "'");
        }
        return d;
    }

    private Reply agents() {
        JsonArray out = new JsonArray();
        for (AgentRegistry.AgentStatus s : tunnel().server().registry().list()) {
            var a = s.agent();
            out.add(new JsonObject().put("id", a.id()).put("name", a.name()).put("slot", a.slot())
                    .put("labels", new JsonObject(new java.util.HashMap<>(a.labels())))
                    .put("state", a.revoked() ? "revoked" : s.state().name().toLowerCase(Locale.ROOT))
                    .put("revoked", a.revoked()).put("cert_serial", a.certSerial())
                    .put("joined_at", java.time.Instant.ofEpochMilli(a.joinedAtMillis()).toString())
                    .put("last_seen", java.time.Instant.ofEpochMilli(a.lastSeenMillis()).toString()));
        }
        return Reply.json(200, out);
    }

    private Reply revoke(String id) {
        if (!tunnel().revoke(id)) {
            throw new BadInput(404, "no agent " + id);
        }
        return Reply.json(200, new JsonObject().put("revoked", id));
    }

    private Reply engines() {
        JsonArray out = new JsonArray();
        var ledger = core().scheduling().ledger();
        for (Engine e : core().engines().engines()) {
            JsonObject j = new JsonObject().put("id", e.id()).put("name", e.name()).put("slot", e.slot()).put("state", e.state())
                    .put("tunnel", e instanceof TunnelEngine).put("labels", new JsonObject(new java.util.HashMap<>(e.labels())));
            var inv = e.inventory();
            j.put("host", new JsonObject().put("hostname", inv.host().hostname()).put("threads", inv.host().threads())
                    .put("memory_bytes", inv.host().memoryBytes()));
            var usage = ledger.usage(e.id());
            JsonArray devices = new JsonArray();
            for (Device d : inv.devices()) {
                JsonArray holders = new JsonArray();
                for (Reservation r : ledger.onEngine(e.id())) {
                    if (r.devices().stream().anyMatch(c -> c.deviceId().equals(d.id()))) {
                        holders.add(r.app());
                    }
                }
                devices.add(new JsonObject().put("id", d.id()).put("kind", d.kind().name()).put("vendor", d.vendor())
                        .put("model", d.model()).put("memory_bytes", d.memoryBytes()).put("health", d.health().name())
                        .put("apps", usage.device(d.id()).apps()).put("allocated_to", holders));
            }
            j.put("devices", devices);
            JsonArray apps = new JsonArray();
            ledger.onEngine(e.id()).forEach(r -> apps.add(r.app()));
            j.put("allocated", new JsonObject().put("milli_cores", usage.milliCores()).put("memory_bytes", usage.memoryBytes())
                    .put("apps", apps));
            if (e instanceof TunnelEngine t) {
                t.dockerFacts().ifPresent(f -> j.put("docker", new JsonObject().put("available", f.getAvailable())
                        .put("version", f.getVersion()).put("api_version", f.getApiVersion())
                        .put("runtimes", new JsonArray(List.copyOf(f.getRuntimesList())))));
            }
            out.add(j);
        }
        return Reply.json(200, out);
    }

    private Reply drain(String id) {
        if (core().engines().engines().stream().noneMatch(e -> e.id().equals(id))) {
            throw new BadInput(404, "no engine " + id);
        }
        JsonArray moves = new JsonArray();
        for (Drainer.Move m : core().scheduling().drain(id)) {
            moves.add(new JsonObject().put("app", m.app()).put("from", m.from()).put("to", m.to()).put("problem", m.problem()));
        }
        return Reply.json(200, new JsonObject().put("engine", id).put("moves", moves));
    }

    static JsonObject json(StoredPlacement p) {
        return new JsonObject().put("placement_id", p.placementId()).put("app", p.app()).put("engine", p.engineId())
                .put("devices", new JsonArray(List.copyOf(p.deviceIds()))).put("milli_cores", p.milliCores())
                .put("memory_bytes", p.memoryBytes()).put("policy_hash", p.policyHash()).put("state", p.state().name().toLowerCase(Locale.ROOT))
                .put("created_at", p.createdAt().toString()).put("updated_at", p.updatedAt().toString());
    }

    private Reply placements() {
        JsonArray out = new JsonArray();
        core().scheduling().store().all().forEach(p -> out.add(json(p)));
        return Reply.json(200, out);
    }

    private Reply events(RoutingContext ctx) {
        String limitText = ctx.request().getParam("limit", "100");
        int limit;
        try {
            limit = Integer.parseInt(limitText.trim());
        } catch (NumberFormatException e) {
            throw new BadInput(400, "limit: a number from 1 to 10000 is required, got '" + limitText + "'");
        }
        if (limit < 1 || limit > 10_000) {
            throw new BadInput(400, "limit: a number from 1 to 10000 is required, got " + limit);
        }
        JsonArray out = new JsonArray();
        for (SchedulerEvent e : core().scheduling().store().events(limit)) {
            out.add(new JsonObject().put("at", e.at().toString()).put("type", e.type()).put("app", e.app())
                    .put("engine", e.engineId()).put("detail", e.detail()));
        }
        return Reply.json(200, out);
    }

    private Reply policies() {
        JsonArray out = new JsonArray();
        core().scheduling().policies().list().forEach(p -> out.add(new JsonObject(PolicyJson.write(p))));
        return Reply.json(200, out);
    }

    private Reply policy(String app) {
        PlacementPolicy p = core().scheduling().policies().get(app).orElseThrow(() -> new BadInput(404, "no policy for " + app));
        return Reply.json(200, new JsonObject(PolicyJson.write(p)));
    }

    private Reply putPolicy(RoutingContext ctx) {
        String app = ctx.pathParam("app");
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw new BadInput(400, "body: a JSON policy object is required");
        }
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new BadInput(400, "body: not a JSON object: " + e.getMessage());
        }
        Object named = json.getValue("app");
        if (named != null && !app.equals(named)) {
            throw new BadInput(400, "app: the body names '" + named + "' but the path names '" + app + "'");
        }
        json.put("app", app);
        PlacementPolicy p = core().scheduling().policies().put(json.encode());
        return Reply.json(200, new JsonObject(PolicyJson.write(p)));
    }

    private Reply deletePolicy(String app) {
        if (!core().scheduling().policies().delete(app)) {
            throw new BadInput(404, "no policy for " + app);
        }
        return new Reply(204, null, null);
    }

    private Reply explain(RoutingContext ctx) {
        String app = ctx.pathParam("app");
        Explanation e = core().scheduling().explain(app);
        String accept = ctx.request().getHeader("accept");
        if (accept != null && accept.contains("application/json")) {
            JsonArray engines = new JsonArray();
            for (Explanation.EngineReport r : e.engines()) {
                engines.add(new JsonObject().put("engine", r.engineId()).put("slot", r.slot()).put("feasible", r.feasible())
                        .put("refused_by", r.refusedBy()).put("reason", r.reason())
                        .put("scores", new JsonObject(new java.util.LinkedHashMap<>(r.scores())))
                        .put("weights", new JsonObject(new java.util.LinkedHashMap<>(r.weights())))
                        .put("total", r.total()).put("devices", new JsonArray(List.copyOf(r.deviceIds()))));
            }
            return Reply.json(200, new JsonObject().put("app", e.app()).put("requirement", e.requirement()).put("engines", engines));
        }
        return new Reply(200, e.render(), "text/plain; charset=utf-8");
    }
}
