package io.lyre.proxy.control;

import io.lyre.proxy.control.ExAppName.PayloadException;
import io.lyre.proxy.docker.DockerApiAllowList;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerEngineException;
import io.lyre.proxy.docker.Engine;
import io.lyre.proxy.docker.EngineDirectory;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.NoEngineAvailableException;
import io.lyre.proxy.docker.PlacementAsk;
import io.lyre.proxy.exapp.ExAppMetadata;
import io.lyre.proxy.exapp.ExAppMetadata.InvalidMetadataException;
import io.lyre.proxy.exapp.ExAppMetadataCache;
import io.lyre.proxy.sched.SchedulingService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AppAPI's side of the front door, /exapps/app_api/* once the shared key matched (harp.md §2.2-2.5): the
 * control API (heartbeat, info, exapp_storage, docker/exapp/*) and, when docker-engine-port is given and the
 * path is not /docker/..., the raw Docker passthrough.
 */
public final class ControlApi {
    private static final Logger LOG = Logger.getLogger(ControlApi.class);
    /**
     * The HaRP protocol level Lyre implements. AppAPI requires >= 0.3.0 (PHP version_compare); a suffix such
     * as "0.4.4-lyre" would sort *below* "0.4.4" there, so Lyre's own version goes in a field of its own.
     */
    public static final String HARP_VERSION = "0.4.4";
    public static final String LYRE_VERSION = "0.1.0";
    private static final Pattern STORAGE = Pattern.compile("^/exapp_storage/([^/]+)$");
    private static final Pattern DOCKER_OP = Pattern.compile("^/docker/exapp/([a-z_]+)$");
    private static final int MAX_BODY = 16 << 20;

    private final Vertx vertx;
    private final ExAppMetadataCache metadata;
    private final EngineDirectory engines;
    private final ExAppPlacements placements;
    private final DockerExAppOps ops;
    private final DockerPassthrough passthrough;
    private final Optional<SchedulingService> scheduling;

    public ControlApi(Vertx vertx, ExAppMetadataCache metadata, EngineDirectory engines, ExAppPlacements placements,
                      DockerExAppOps ops, DockerPassthrough passthrough) {
        this(vertx, metadata, engines, placements, ops, passthrough, Optional.empty());
    }

    public ControlApi(Vertx vertx, ExAppMetadataCache metadata, EngineDirectory engines, ExAppPlacements placements,
                      DockerExAppOps ops, DockerPassthrough passthrough, Optional<SchedulingService> scheduling) {
        this.scheduling = scheduling;
        scheduling.ifPresent(s -> s.rebinder((engine, binding) -> recreate(engine, binding, s)));
        this.vertx = vertx;
        this.metadata = metadata;
        this.engines = engines;
        this.placements = placements;
        this.ops = ops;
        this.passthrough = passthrough;
    }

    /** Handles a request whose key already matched; {@code targetPath} is the raw path after /exapps/app_api. */
    public void handle(HttpServerRequest req, String targetPath) {
        String portHeader = req.getHeader("docker-engine-port");
        if (portHeader != null && !targetPath.startsWith("/docker/")) {
            dockerPassthrough(req, targetPath, portHeader);
            return;
        }
        if (targetPath.equals("/heartbeat")) {
            only(req, HttpMethod.GET, () -> reply(req, HttpReply.json(200, new JsonObject().put("status", "ok"))));
            return;
        }
        if (targetPath.equals("/info")) {
            only(req, HttpMethod.GET, () -> reply(req, HttpReply.json(200, info())));
            return;
        }
        Matcher storage = STORAGE.matcher(targetPath);
        if (storage.matches()) {
            String app = URLDecoder.decode(storage.group(1), StandardCharsets.UTF_8);
            if (req.method() == HttpMethod.POST) {
                readBody(req).onSuccess(body -> reply(req, storeMetadata(app, body)));
            } else if (req.method() == HttpMethod.DELETE) {
                reply(req, metadata.remove(app) ? HttpReply.empty(204) : HttpReply.text(404, "ExApp " + app + " not found"));
            } else {
                reply(req, HttpReply.text(405, "405: Method Not Allowed"));
            }
            return;
        }
        Matcher op = DOCKER_OP.matcher(targetPath);
        if (op.matches()) {
            only(req, HttpMethod.POST, () -> dockerOp(req, op.group(1)));
            return;
        }
        if (targetPath.startsWith("/k8s/")) {
            reply(req, HttpReply.text(400, "Kubernetes backend is not enabled in Lyre"));
            return;
        }
        reply(req, HttpReply.text(404, "404: Not Found"));
    }

    private static final java.util.Set<String> DOCKER_OPS = java.util.Set.of("exists", "create", "start", "stop",
            "wait_for_start", "remove", "image_remove", "install_certificates");

    /**
     * The metrics label of a request under /exapps/app_api (lyre_control_requests_seconds): one of a fixed set,
     * whatever the path, so that label stays bounded. "docker_api" is the raw Docker passthrough.
     */
    public static String endpoint(HttpServerRequest req, String targetPath) {
        if (req.getHeader("docker-engine-port") != null && !targetPath.startsWith("/docker/")) {
            return "docker_api";
        }
        if (targetPath.equals("/heartbeat") || targetPath.equals("/info")) {
            return targetPath.substring(1);
        }
        if (STORAGE.matcher(targetPath).matches()) {
            return "exapp_storage";
        }
        Matcher op = DOCKER_OP.matcher(targetPath);
        if (op.matches()) {
            return DOCKER_OPS.contains(op.group(1)) ? "docker/exapp/" + op.group(1) : "docker/exapp/other";
        }
        return targetPath.startsWith("/k8s/") ? "k8s" : "other";
    }

    static JsonObject info() {
        return new JsonObject().put("version", HARP_VERSION).put("lyre_version", LYRE_VERSION).put("docker", true)
                .put("kubernetes", new JsonObject().put("enabled", false));
    }

    private HttpReply storeMetadata(String app, Buffer body) {
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            // HaRP (aiohttp) answers 500 for a body that is not JSON; a client error deserves a 400 and a reason
            return HttpReply.text(400, "Invalid JSON body: " + e.getMessage());
        }
        try {
            metadata.put(app, ExAppMetadata.fromJson(json));
        } catch (InvalidMetadataException e) {
            return HttpReply.payloadError(e.getMessage());
        }
        return HttpReply.empty(204);
    }

    private void dockerOp(HttpServerRequest req, String op) {
        Integer slot = engineSlot(req);
        if (slot == null) {
            return;
        }
        readBody(req).onSuccess(raw -> {
            JsonObject body;
            try {
                body = new JsonObject(raw);
            } catch (DecodeException | ClassCastException e) {
                reply(req, HttpReply.payloadError("the body is not a JSON object: " + e.getMessage()));
                return;
            }
            vertx.executeBlocking(() -> {
                if (scheduling.isPresent() && op.equals("create")) {
                    return scheduledCreate(scheduling.get(), slot, body);
                }
                Engine engine = engineFor(slot, op, body);
                DockerEngineApi api = new DockerEngineApi(engine);
                HttpReply answer = switch (op) {
                    case "exists" -> ops.exists(api, body);
                    case "create" -> ops.create(api, body);
                    case "start" -> ops.start(api, body);
                    case "stop" -> ops.stop(api, body);
                    case "wait_for_start" -> ops.waitForStart(api, body);
                    case "remove" -> ops.remove(api, body);
                    case "image_remove" -> ops.imageRemove(api, body);
                    case "install_certificates" -> ops.installCertificates(api, body);
                    default -> HttpReply.text(404, "404: Not Found");
                };
                if (scheduling.isPresent()) {
                    String app = ExAppName.from(body).name();
                    if (op.equals("start") && answer.status() >= 500) {
                        // e.g. "could not select device driver": the devices are not really there; give them back
                        scheduling.get().release(app, "start failed: " + answer.bodyText());
                    } else if (op.equals("remove") && answer.status() == 204) {
                        scheduling.get().release(app, "removed");
                    }
                }
                return answer;
            }, false).onComplete(ar -> reply(req, ar.succeeded() ? ar.result() : failure(op, ar.cause())));
        });
    }

    /** create through the scheduler: a pinned slot must be served; 24000 lets the scheduler choose. Blocking. */
    private HttpReply scheduledCreate(SchedulingService s, int slot, JsonObject body) {
        if (slot != EngineDirectory.SCHEDULER_CHOOSES) {
            engines.bySlot(slot).orElseThrow(() -> new SlotNotServed(slot));
        }
        String app = ExAppName.from(body).name();
        return s.create(app, slot, body, (engine, binding) -> ops.create(new DockerEngineApi(engine), body, binding));
    }

    /** Drain and a lost engine: create and start the app on its new engine from the create AppAPI sent. */
    private HttpReply recreate(Engine engine, io.lyre.scheduler.docker.ContainerDeviceBinding binding, SchedulingService s) {
        String app = binding.labels().get(io.lyre.scheduler.docker.PlacementLabels.APP);
        Optional<JsonObject> body = app == null ? Optional.empty() : s.createBody(app);
        if (body.isEmpty()) {
            return HttpReply.text(409, "AppAPI's create request for " + app + " is not known since the proxy started");
        }
        DockerEngineApi api = new DockerEngineApi(engine);
        HttpReply created = ops.create(api, body.get(), binding);
        if (created.status() != 201) {
            return created;
        }
        HttpReply started = ops.start(api, body.get());
        return started.status() < 300 ? created : started;
    }

    static HttpReply failure(String what, Throwable e) {
        if (e instanceof PayloadException p) {
            return HttpReply.payloadError(p.getMessage());
        }
        if (e instanceof SlotNotServed s) {
            return HttpReply.text(503, "Could not connect to Docker Engine on port " + s.slot);
        }
        if (e instanceof NoEngineAvailableException n) {
            return HttpReply.text(503, "No Docker Engine available: " + n.getMessage());
        }
        if (e instanceof DockerEngineException d) {
            return HttpReply.text(d.httpStatus(), d.answer());
        }
        LOG.errorf(e, "docker/exapp/%s failed", what);
        return HttpReply.text(500, "Internal error: " + e);
    }

    /** The engine a /docker/exapp op runs on. Blocking (the chooser may look at engines). */
    private Engine engineFor(int slot, String op, JsonObject body) {
        if (slot != EngineDirectory.SCHEDULER_CHOOSES) {
            return engines.bySlot(slot).orElseThrow(() -> new SlotNotServed(slot));
        }
        String name = body.getValue("name") instanceof String s ? s : "";
        if (op.equals("create")) {
            Object limits = body.getValue("resource_limits");
            long mem = limits instanceof JsonObject l && l.getValue("memory") instanceof Number n ? n.longValue() : 0;
            long cpu = limits instanceof JsonObject l && l.getValue("nanoCPUs") instanceof Number n ? n.longValue() : 0;
            String image = body.getValue("image_id") instanceof String i ? i : null;
            String device = body.getValue("compute_device") instanceof String d ? d : "cpu";
            return engines.chooseFor(new PlacementAsk(name, device, Optional.ofNullable(image), mem, cpu));
        }
        return appEngine(name);
    }

    /** With slot 24000, an existing app stays where it is; otherwise the directory decides. */
    private Engine appEngine(String app) {
        Optional<Engine> placed = placements.find(app).map(ExAppPlacement::engine).filter(Engine::ready);
        if (placed.isPresent()) {
            return placed.get();
        }
        return engines.bySlot(EngineDirectory.SCHEDULER_CHOOSES).orElseGet(() -> engines.chooseFor(PlacementAsk.forApp(app)));
    }

    private void dockerPassthrough(HttpServerRequest req, String targetPath, String portHeader) {
        Integer slot = engineSlot(req);
        if (slot == null) {
            return;
        }
        if (!DockerPassthrough.allowed(req, targetPath)) {
            DockerPassthrough.deny(req.response());
            return;
        }
        readBody(req).onSuccess(body -> vertx.executeBlocking(() -> {
            if (slot != EngineDirectory.SCHEDULER_CHOOSES) {
                return engines.bySlot(slot).orElseThrow(() -> new SlotNotServed(slot));
            }
            Optional<String> app = DockerApiAllowList.containerApp(targetPath);
            if (app.isPresent()) {
                return appEngine(app.get());
            }
            if (DockerApiAllowList.isPull(req.method().name(), targetPath)) {
                String image = req.getParam("fromImage", "");
                String tag = req.getParam("tag");
                return engines.chooseFor(PlacementAsk.forImage(tag == null || tag.isEmpty() ? image : image + ":" + tag));
            }
            return engines.bySlot(slot).orElseGet(() -> engines.chooseFor(PlacementAsk.forApp("")));
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                reply(req, failure("passthrough", ar.cause()));
            } else {
                passthrough.forward(req, body, ar.result(), targetPath);
            }
        }));
    }

    /** The docker-engine-port header; answers 400 and returns null when it is missing or invalid. */
    private static Integer engineSlot(HttpServerRequest req) {
        String v = req.getHeader("docker-engine-port");
        if (v == null) {
            reply(req, HttpReply.text(400, "Missing 'docker-engine-port' header"));
            return null;
        }
        try {
            int port = Integer.parseInt(v.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        reply(req, HttpReply.text(400, "Invalid 'docker-engine-port' header: '" + v + "' is not a port in 1-65535"));
        return null;
    }

    private static void only(HttpServerRequest req, HttpMethod method, Runnable action) {
        if (req.method() == method || (method == HttpMethod.GET && req.method() == HttpMethod.HEAD)) {
            action.run();
        } else {
            reply(req, HttpReply.text(405, "405: Method Not Allowed"));
        }
    }

    private static Future<Buffer> readBody(HttpServerRequest req) {
        String length = req.getHeader("content-length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_BODY) {
                    reply(req, HttpReply.text(413, "Request body larger than " + MAX_BODY + " bytes"));
                    return Future.failedFuture("too large");
                }
            } catch (NumberFormatException e) {
                reply(req, HttpReply.text(400, "Invalid Content-Length"));
                return Future.failedFuture("bad length");
            }
        }
        Future<Buffer> body = req.body();
        req.resume();
        return body.onFailure(e -> {
            if (!req.response().ended()) {
                reply(req, HttpReply.text(400, "Could not read the request body: " + e.getMessage()));
            }
        });
    }

    static void reply(HttpServerRequest req, HttpReply reply) {
        HttpServerResponse response = req.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(reply.status());
        if (reply.contentType() != null) {
            response.putHeader("content-type", reply.contentType());
        }
        if (reply.body() == null) {
            response.end();
        } else {
            response.end(Buffer.buffer(reply.body()));
        }
    }

    /** A pinned slot no engine holds: for AppAPI this looks like HaRP's unbound FRP port. */
    static final class SlotNotServed extends RuntimeException {
        final int slot;

        SlotNotServed(int slot) {
            super("no engine holds slot " + slot, null, false, false);
            this.slot = slot;
        }
    }
}
