package io.lyre.bench.frontdoor;

import io.lyre.bench.Args;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's Nextcloud: HaRP's call-backs as AppAPI's HarpController answers them (appapi.md §3), mirroring the
 * proxy tests' NextcloudStandIn on Vert.x so that it never is the bottleneck.
 * <ul>
 *   <li>{@code GET /index.php/apps/app_api/harp/exapp-meta?appId=A}: the metadata of {@code --meta-file} for
 *       {@code --app-id}; a wrong {@code harp-shared-key} or another app: 401 {@code {"message":"Harp shared key is not valid"}};</li>
 *   <li>{@code GET /index.php/apps/app_api/harp/user-info?appId=A}: cookie {@code oc_sessionPassphrase=bench-...} is the
 *       user {@code benchuser} (access level 1), anything else anonymous ({@code ""}, 0). Answered after
 *       {@code --user-info-delay-ms} (a real Nextcloud takes tens of ms); every call counted and time-stamped per
 *       passphrase;</li>
 *   <li>{@code GET /bench/counts[?session=P]}: {@code {"user_info":N,"exapp_meta":M,"calls":[epoch ms...]}};
 *       {@code POST /bench/delay?ms=N} changes the user-info delay.</li>
 * </ul>
 */
final class BenchNextcloud {
    private static final String PREFIX = "/index.php/apps/app_api/harp/";
    private static final String UNAUTHORIZED = "{\"message\":\"Harp shared key is not valid\"}";

    private final String key;
    private final String appId;
    private final String meta;
    private final AtomicInteger userInfo = new AtomicInteger();
    private final AtomicInteger exappMeta = new AtomicInteger();
    private final Map<String, List<Long>> callsBySession = new ConcurrentHashMap<>();
    private volatile long delayMs;
    private final Vertx vertx;

    private BenchNextcloud(Vertx vertx, String key, String appId, String meta, long delayMs) {
        this.vertx = vertx;
        this.key = key;
        this.appId = appId;
        this.meta = meta;
        this.delayMs = delayMs;
    }

    static void run(Args a) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        BenchNextcloud nc = new BenchNextcloud(vertx, Files.readString(Path.of(a.str("key-file", null))).trim(),
                a.str("app-id", null), new JsonObject(Files.readString(Path.of(a.str("meta-file", null)))).encode(),
                a.integer("user-info-delay-ms", 0));
        int port = vertx.createHttpServer(new HttpServerOptions().setHost(a.str("host", "127.0.0.1")).setPort(a.integer("port", 0))
                        .setAcceptBacklog(4096))
                .requestHandler(nc::handle)
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.out.println("NEXTCLOUD_READY port=" + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        switch (path) {
            case PREFIX + "exapp-meta" -> {
                exappMeta.incrementAndGet();
                if (!key.equals(req.getHeader("harp-shared-key")) || !appId.equalsIgnoreCase(req.getParam("appId", ""))) {
                    json(req, 401, UNAUTHORIZED);
                } else {
                    json(req, 200, meta);
                }
            }
            case PREFIX + "user-info" -> userInfo(req);
            case "/bench/counts" -> {
                String s = req.getParam("session");
                JsonObject o = new JsonObject().put("user_info", userInfo.get()).put("exapp_meta", exappMeta.get());
                if (s != null) {
                    o.put("calls", new JsonArray(List.copyOf(callsBySession.getOrDefault(s, List.of()))));
                }
                json(req, 200, o.encode());
            }
            case "/bench/delay" -> {
                delayMs = Long.parseLong(req.getParam("ms", "0"));
                json(req, 200, new JsonObject().put("delay_ms", delayMs).encode());
            }
            default -> json(req, 404, "{\"message\":\"not found\"}");
        }
    }

    private void userInfo(HttpServerRequest req) {
        long now = System.currentTimeMillis();
        userInfo.incrementAndGet();
        var cookie = req.getCookie("oc_sessionPassphrase");
        String passphrase = cookie == null ? "" : cookie.getValue();
        callsBySession.computeIfAbsent(passphrase, k -> new CopyOnWriteArrayList<>()).add(now);
        if (!key.equals(req.getHeader("harp-shared-key")) || !appId.equalsIgnoreCase(req.getParam("appId", ""))) {
            json(req, 401, UNAUTHORIZED);
            return;
        }
        String body = passphrase.startsWith("bench-") ? "{\"user_id\":\"benchuser\",\"access_level\":1}"
                : "{\"user_id\":\"\",\"access_level\":0}";
        long d = delayMs;
        if (d <= 0) {
            json(req, 200, body);
        } else {
            vertx.setTimer(d, t -> json(req, 200, body));
        }
    }

    private static void json(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
