package io.lyre.proxy;

import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.control.ControlApi;
import io.lyre.proxy.exapp.AccessLevel;
import io.lyre.proxy.exapp.ExAppMetadata;
import io.lyre.proxy.exapp.ExAppMetadataCache;
import io.lyre.proxy.exapp.ExAppRoute;
import io.lyre.proxy.exapp.NcUser;
import io.lyre.proxy.exapp.SessionCache;
import io.lyre.proxy.nextcloud.NextcloudClient;
import io.lyre.proxy.security.BruteForceGuard;
import io.lyre.proxy.security.DotDotPath;
import io.lyre.proxy.security.SharedKey;
import io.lyre.proxy.upstream.ExAppUpstream;
import io.lyre.proxy.upstream.UpstreamException;
import io.lyre.proxy.upstream.UpstreamRequest;
import io.lyre.proxy.upstream.UpstreamResponse;
import io.lyre.proxy.upstream.UpstreamTargets;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request on 8780/8781, decided as HaRP's SPOE agent decides (harp.md §2.1, §3): ban check, ".." paths,
 * the app id, AppAPI's control path, direct AppAPI requests, metadata, unsigned lifecycle calls, the Nextcloud
 * user, the routes; then the ExApp, with AppAPI's headers added and HaRP's leaking ones removed.
 */
public final class FrontDoor implements Handler<HttpServerRequest> {
    private static final Logger LOG = Logger.getLogger(FrontDoor.class);
    /** Anchored, unlike HaRP's search (harp.md §6.11): "/x/exapps/y" is not app y. */
    private static final Pattern APP_ID = Pattern.compile("^/exapps/([^/]+)");
    private static final List<String> DIRECT_HEADERS = List.of("ex-app-version", "ex-app-id", "ex-app-host",
            "ex-app-port", "authorization-app-api", "harp-shared-key");
    private static final Set<String> LIFECYCLE = Set.of("/heartbeat", "/init", "/enabled");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "expect");
    /** Never reach the ExApp: the master key and AppAPI's routing hints (HaRP leaks them, harp.md §6.11). */
    private static final Set<String> STRIPPED = Set.of("harp-shared-key", "ex-app-host", "ex-app-port");
    private static final Set<String> SET_BY_PROXY = Set.of("ex-app-id", "ex-app-version", "authorization-app-api", "aa-version");
    /** HaRP's HAProxy sets this constant (harp.md §3.3). */
    static final String AA_VERSION = "32";

    private final Vertx vertx;
    private final ProxyConfig config;
    private final SharedKey key;
    private final BruteForceGuard guard;
    private final ExAppMetadataCache metadata;
    private final SessionCache sessions;
    private final NextcloudClient nextcloud;
    private final ControlApi control;
    private final UpstreamTargets targets;
    private final ExAppUpstream upstream;
    private final FrontDoorMetrics metrics;

    public FrontDoor(Vertx vertx, ProxyConfig config, BruteForceGuard guard, ExAppMetadataCache metadata,
                     SessionCache sessions, NextcloudClient nextcloud, ControlApi control, UpstreamTargets targets,
                     ExAppUpstream upstream) {
        this(vertx, config, guard, metadata, sessions, nextcloud, control, targets, upstream, FrontDoorMetrics.NONE);
    }

    public FrontDoor(Vertx vertx, ProxyConfig config, BruteForceGuard guard, ExAppMetadataCache metadata,
                     SessionCache sessions, NextcloudClient nextcloud, ControlApi control, UpstreamTargets targets,
                     ExAppUpstream upstream, FrontDoorMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config;
        this.key = new SharedKey(config.sharedKey());
        this.guard = guard;
        this.metadata = metadata;
        this.sessions = sessions;
        this.nextcloud = nextcloud;
        this.control = control;
        this.targets = targets;
        this.upstream = upstream;
    }

    @Override
    public void handle(HttpServerRequest req) {
        req.pause(); // the body waits until we know where it goes
        try {
            decide(req);
        } catch (RuntimeException e) {
            LOG.errorf(e, "front door failed on %s %s", req.method(), req.path());
            Answers.text(req, 503, Answers.UNAVAILABLE); // HaRP: agent_error -> no backend -> 503
        }
    }

    private void decide(HttpServerRequest req) {
        String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
        String clientIp = config.trustedProxies().clientIp(peer, req.getHeader("x-forwarded-for"), req.getHeader("x-real-ip"));
        if (guard.isBanned(clientIp)) {
            Answers.drop(req);
            return;
        }
        String path = req.path() == null ? "" : req.path();
        boolean keyOk = key.matches(req.getHeader("harp-shared-key"));
        if (DotDotPath.contains(path)) {
            failUnlessTrusted(clientIp, keyOk);
            Answers.drop(req);
            return;
        }
        Matcher m = APP_ID.matcher(path);
        if (!m.find()) {
            failUnlessTrusted(clientIp, keyOk);
            Answers.text(req, 404, Answers.NOT_FOUND);
            return;
        }
        String appId = m.group(1);
        String targetPath = path.substring(m.end());
        if (appId.equals("app_api")) {
            observe(req, new Observed(ControlApi.endpoint(req, targetPath)));
            if (!keyOk) {
                guard.recordFailure(clientIp);
                Answers.text(req, 401, Answers.UNAUTHORIZED);
                return;
            }
            control.handle(req, targetPath);
            return;
        }
        Observed obs = observe(req, new Observed(null));
        if (DIRECT_HEADERS.stream().allMatch(h -> req.headers().contains(h))) {
            directRequest(req, obs, clientIp, keyOk, appId, targetPath);
        } else {
            userRequest(req, obs, clientIp, keyOk, appId, targetPath);
        }
    }

    /**
     * Times one request under /exapps/ and reports it once: when its response ended or its head was sent
     * (a response cut short still counts with its status), or when its upgrade was accepted. A dropped
     * connection (ban, silent drop) is not a request with a status and is not reported.
     */
    private final class Observed {
        private final long start = System.nanoTime();
        private final String endpoint; // null: an ExApp request
        private String app = FrontDoorMetrics.UNKNOWN_APP; // the app id once Nextcloud or AppAPI vouched for it
        private boolean done;

        Observed(String endpoint) {
            this.endpoint = endpoint;
        }

        void finish(int status) {
            if (done) {
                return;
            }
            done = true;
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (endpoint != null) {
                metrics.controlRequest(endpoint, status, took);
            } else {
                metrics.exappRequest(app, status, took);
            }
        }
    }

    private Observed observe(HttpServerRequest req, Observed obs) {
        HttpServerResponse out = req.response();
        out.endHandler(v -> {
            if (out.ended() || out.headWritten()) {
                obs.finish(out.getStatusCode());
            }
        });
        return obs;
    }

    private void failUnlessTrusted(String clientIp, boolean keyOk) {
        if (!keyOk) { // HaRP #100: Nextcloud's own calls must not ban Nextcloud
            guard.recordFailure(clientIp);
        }
    }

    /** AppAPI calling its ExApp (all six headers): no routes, AppAPI's own signature travels on. */
    private void directRequest(HttpServerRequest req, Observed obs, String clientIp, boolean keyOk, String appId, String targetPath) {
        if (!keyOk) {
            guard.recordFailure(clientIp);
            Answers.drop(req);
            return;
        }
        metadata.get(appId).recover(e -> Future.succeededFuture(Optional.empty())).onComplete(ar -> {
            ExAppMetadata meta = ar.result().orElseGet(() -> fromHeaders(req));
            if (meta == null) {
                Answers.text(req, 404, Answers.NOT_FOUND);
                return;
            }
            obs.app = appId; // AppAPI, with the shared key, named it
            forward(req, obs, clientIp, appId, targetPath, meta, req.getHeader("authorization-app-api"), List.of());
        });
    }

    /** Before exapp_storage is pushed (e.g. during /init), AppAPI's headers say where the app is. */
    private static ExAppMetadata fromHeaders(HttpServerRequest req) {
        try {
            int port = Integer.parseInt(req.getHeader("ex-app-port").trim());
            return new ExAppMetadata("", req.getHeader("ex-app-version"), req.getHeader("ex-app-host").trim(), port, List.of());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void userRequest(HttpServerRequest req, Observed obs, String clientIp, boolean keyOk, String appId, String targetPath) {
        metadata.get(appId).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("ExApp metadata for %s unavailable: %s", appId, ar.cause().getMessage());
                Answers.text(req, 404, Answers.NOT_FOUND); // no failure recorded: not the client's fault
                return;
            }
            if (ar.result().isEmpty()) {
                failUnlessTrusted(clientIp, keyOk);
                Answers.text(req, 404, Answers.NOT_FOUND);
                return;
            }
            ExAppMetadata meta = ar.result().get();
            obs.app = appId; // Nextcloud knows it
            if (LIFECYCLE.contains(targetPath)) {
                guard.recordFailure(clientIp);
                Answers.drop(req);
                return;
            }
            resolveUser(req, appId).onComplete(user -> {
                if (user.failed()) {
                    LOG.debugf("user-info for %s failed: %s", appId, user.cause().toString());
                    Answers.text(req, 401, Answers.UNAUTHORIZED);
                    return;
                }
                NcUser ncUser = user.result();
                Optional<ExAppRoute> route = meta.routes().stream().filter(r -> r.matches(targetPath)).findFirst();
                if (route.isEmpty()) {
                    guard.recordFailure(clientIp);
                    Answers.text(req, 404, Answers.NOT_FOUND);
                    return;
                }
                AccessLevel needed = route.get().accessLevel();
                boolean allowed = needed == AccessLevel.PUBLIC
                        || (ncUser != null && needed.level() <= ncUser.accessLevel().level());
                if (!allowed) {
                    guard.recordFailure(clientIp);
                    Answers.text(req, 403, Answers.FORBIDDEN);
                    return;
                }
                String uid = ncUser == null ? "" : ncUser.userId();
                String token = Base64.getEncoder().encodeToString((uid + ":" + meta.exappToken()).getBytes(StandardCharsets.UTF_8));
                forward(req, obs, clientIp, appId, targetPath, meta, token, route.get().bruteforceProtection());
            });
        });
    }

    /** Null (anonymous) unless the request carries a session cookie or an Authorization header. */
    private Future<NcUser> resolveUser(HttpServerRequest req, String appId) {
        Cookie passphrase = req.getCookie("oc_sessionPassphrase");
        boolean hasAuth = req.headers().contains("authorization");
        if (passphrase == null && !hasAuth) {
            return Future.succeededFuture(null);
        }
        if (passphrase == null) {
            metrics.userInfo(false);
            return nextcloud.userInfo(appId, req.headers()); // HaRP caches by session only (#17)
        }
        boolean[] called = new boolean[1];
        Future<NcUser> user = sessions.get(passphrase.getValue(), () -> {
            called[0] = true;
            return nextcloud.userInfo(appId, req.headers());
        });
        metrics.userInfo(!called[0]); // answered from the cache, or joined a call already under way
        return user;
    }

    private void forward(HttpServerRequest req, Observed obs, String clientIp, String appId, String targetPath, ExAppMetadata meta,
                         String authorization, List<Integer> bruteforceStatuses) {
        boolean upgrade = isUpgrade(req);
        MultiMap headers = upstreamHeaders(req.headers(), upgrade);
        headers.set("EX-APP-ID", appId);
        headers.set("EX-APP-VERSION", meta.exappVersion());
        headers.set("AUTHORIZATION-APP-API", authorization);
        headers.set("AA-VERSION", AA_VERSION);
        String uri = (targetPath.isEmpty() ? "/" : targetPath) + (req.query() == null ? "" : "?" + req.query());
        boolean hasBody = !upgrade && (req.headers().contains("transfer-encoding")
                || (req.getHeader("content-length") != null && !req.getHeader("content-length").trim().equals("0")));
        if (hasBody && req.getHeader("content-length") != null && !req.headers().contains("transfer-encoding")) {
            headers.set("content-length", req.getHeader("content-length").trim());
        }
        // Expect: 100-continue is answered by this hop: the client hears "100 Continue" once its request is let
        // through (a refused one never uploads its body), and the ExApp gets no Expect (its 100 would stop at the
        // relay, and the client would sit out its expect timeout, 1 s for curl and Guzzle, before sending).
        String expect = req.getHeader("expect");
        boolean continueFirst = hasBody && expect != null && expect.trim().equalsIgnoreCase("100-continue");
        targets.resolve(appId, meta).onComplete(t -> {
            if (t.failed()) {
                LOG.warnf("no address for ExApp %s: %s", appId, t.cause().toString());
                Answers.text(req, 503, Answers.BACKEND_DOWN);
                return;
            }
            if (continueFirst) {
                req.response().writeContinue();
            }
            UpstreamRequest request = new UpstreamRequest(req.method(), uri, headers, hasBody ? req : null, upgrade);
            upstream.send(t.result(), request).onComplete(ar -> {
                if (ar.failed()) {
                    boolean timeout = ar.cause() instanceof UpstreamException u && u.kind() == UpstreamException.Kind.TIMEOUT;
                    if (!timeout) {
                        targets.forget(appId); // the container may have moved or restarted
                    }
                    LOG.debugf("ExApp %s: %s", appId, ar.cause().toString());
                    if (req.response().headWritten()) {
                        req.response().reset();
                    } else {
                        Answers.text(req, timeout ? 504 : 503, timeout ? Answers.BACKEND_TIMEOUT : Answers.BACKEND_DOWN);
                    }
                    return;
                }
                UpstreamResponse resp = ar.result();
                if (bruteforceStatuses.contains(resp.statusCode())) {
                    guard.recordFailure(clientIp);
                }
                if (upgrade && resp.statusCode() == 101) {
                    relayUpgrade(req, resp, obs, appId);
                } else {
                    relayResponse(req, resp);
                }
            });
        });
    }

    private void relayResponse(HttpServerRequest req, UpstreamResponse resp) {
        HttpServerResponse out = req.response();
        out.setStatusCode(resp.statusCode());
        if (resp.statusMessage() != null) {
            out.setStatusMessage(resp.statusMessage());
        }
        Set<String> named = connectionTokens(resp.headers().get("connection"));
        resp.headers().forEach(h -> {
            String n = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(n) || n.equals("content-length")) {
                if (!named.contains(n)) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            }
        });
        out.closeHandler(v -> {
            if (!out.ended()) {
                resp.reset();
            }
        });
        int s = resp.statusCode();
        if (req.method() == HttpMethod.HEAD || s == 204 || s == 304 || (s >= 100 && s < 200)) {
            out.headers().remove("transfer-encoding");
            resp.body().handler(b -> { });
            resp.body().endHandler(v -> out.end());
            resp.body().resume();
            return;
        }
        if (!out.headers().contains("content-length")) {
            out.setChunked(true);
        }
        resp.body().pipeTo(out).onFailure(e -> {
            if (!out.ended()) {
                out.reset();
            }
        });
    }

    private void relayUpgrade(HttpServerRequest req, UpstreamResponse resp, Observed obs, String appId) {
        HttpServerResponse out = req.response();
        resp.headers().forEach(h -> {
            String n = h.getKey().toLowerCase(Locale.ROOT);
            if (!n.equals("content-length") && !n.equals("transfer-encoding")) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        resp.upgraded().onComplete(app -> {
            if (app.failed()) {
                Answers.text(req, 503, Answers.BACKEND_DOWN);
                return;
            }
            req.toNetSocket().onComplete(client -> {
                if (client.failed()) {
                    app.result().close();
                    return;
                }
                obs.finish(101);
                boolean webSocket = "websocket".equalsIgnoreCase(req.getHeader("upgrade"));
                if (webSocket) {
                    metrics.webSocketOpened(appId);
                }
                new TunnelRelay(vertx, client.result(), app.result(), config.timeouts().tunnel(), () -> {
                    if (webSocket) {
                        metrics.webSocketClosed(appId);
                    }
                }).start();
            });
        });
    }

    static boolean isUpgrade(HttpServerRequest req) {
        String upgrade = req.getHeader("upgrade");
        return upgrade != null && req.method() == HttpMethod.GET
                && connectionTokens(req.getHeader("connection")).contains("upgrade");
    }

    /** The request's headers as the ExApp should see them: no hop-by-hop, no shared key or routing hints. */
    static MultiMap upstreamHeaders(MultiMap in, boolean upgrade) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        Set<String> named = connectionTokens(in.get("connection"));
        in.forEach(h -> {
            String n = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(n) || STRIPPED.contains(n) || SET_BY_PROXY.contains(n) || (named.contains(n) && !n.equals("upgrade"))) {
                return;
            }
            out.add(h.getKey(), h.getValue());
        });
        if (upgrade) {
            out.set("connection", "Upgrade");
            out.set("upgrade", in.get("upgrade"));
        }
        return out;
    }

    private static Set<String> connectionTokens(String connection) {
        Set<String> tokens = new HashSet<>();
        if (connection != null) {
            for (String t : connection.split(",")) {
                tokens.add(t.trim().toLowerCase(Locale.ROOT));
            }
        }
        return tokens;
    }
}
