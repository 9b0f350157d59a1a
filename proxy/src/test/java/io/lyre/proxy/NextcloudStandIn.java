package io.lyre.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Nextcloud for tests: the two HaRP call-backs (appapi.md §3) and the OCS init-status endpoint ExApps report
 * to. Users: "usr:password" (level 1) and "admin:admin" (level 2) by Basic auth, or the cookie
 * oc_sessionPassphrase=usr-session / admin-session; anything else is anonymous. Counts every call.
 */
public final class NextcloudStandIn implements AutoCloseable {
    final AtomicInteger exappMetaCalls = new AtomicInteger();
    final AtomicInteger userInfoCalls = new AtomicInteger();
    final List<String> initProgress = new CopyOnWriteArrayList<>();
    final Map<String, String> apps = new ConcurrentHashMap<>();
    volatile int userInfoStatus = 200;
    private final HttpServer server;
    private final String key;

    NextcloudStandIn(String sharedKey, String bindHost) throws IOException {
        this.key = sharedKey;
        server = HttpServer.create(new InetSocketAddress(bindHost, 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/index.php/apps/app_api/harp/exapp-meta", this::exappMeta);
        server.createContext("/index.php/apps/app_api/harp/user-info", this::userInfo);
        server.createContext("/ocs/v1.php/apps/app_api/ex-app/status", this::status);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String host) {
        return "http://" + host + ":" + port();
    }

    /** Makes exapp-meta answer for the app with this metadata JSON. */
    void app(String appId, String metadataJson) {
        apps.put(appId, metadataJson);
    }

    static String metadata(String secret, String version, String host, int port) {
        return "{\"exapp_token\":\"" + secret + "\",\"exapp_version\":\"" + version + "\",\"host\":\"" + host
                + "\",\"port\":" + port + ",\"routes\":["
                + "{\"url\":\"^/public$\",\"access_level\":0,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/user$\",\"access_level\":1,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/admin$\",\"access_level\":2,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/$\",\"access_level\":1,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/ws$\",\"access_level\":1,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/slow$\",\"access_level\":0,\"bruteforce_protection\":[]},"
                + "{\"url\":\"^/guarded$\",\"access_level\":0,\"bruteforce_protection\":[401]},"
                + "{\"url\":\"^/stream$\",\"access_level\":0}]}";
    }

    private void exappMeta(HttpExchange ex) throws IOException {
        exappMetaCalls.incrementAndGet();
        String app = query(ex, "appId");
        String meta = apps.get(app);
        if (!key.equals(ex.getRequestHeaders().getFirst("harp-shared-key")) || meta == null) {
            send(ex, 401, "{\"message\":\"Harp shared key is not valid\"}");
            return;
        }
        send(ex, 200, meta);
    }

    private void userInfo(HttpExchange ex) throws IOException {
        userInfoCalls.incrementAndGet();
        if (!key.equals(ex.getRequestHeaders().getFirst("harp-shared-key"))) {
            send(ex, 401, "{\"message\":\"Harp shared key is not valid\"}");
            return;
        }
        if (userInfoStatus != 200) {
            send(ex, userInfoStatus, "{}");
            return;
        }
        String user = "";
        int level = 0;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String cookie = ex.getRequestHeaders().getFirst("Cookie");
        if (auth != null && auth.startsWith("Basic ")) {
            String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
            if (pair.equals("usr:password")) {
                user = "usr";
                level = 1;
            } else if (pair.equals("admin:admin")) {
                user = "admin";
                level = 2;
            }
        } else if (cookie != null) {
            if (cookie.contains("oc_sessionPassphrase=usr-session")) {
                user = "usr";
                level = 1;
            } else if (cookie.contains("oc_sessionPassphrase=admin-session")) {
                user = "admin";
                level = 2;
            }
        }
        send(ex, 200, "{\"user_id\":\"" + user + "\",\"access_level\":" + level + "}");
    }

    private void status(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        initProgress.add(ex.getRequestHeaders().getFirst("EX-APP-ID") + " " + body);
        send(ex, 200, "{\"ocs\":{\"meta\":{\"status\":\"ok\"},\"data\":[]}}");
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getQuery();
        if (q != null) {
            for (String p : q.split("&")) {
                if (p.startsWith(name + "=")) {
                    return java.net.URLDecoder.decode(p.substring(name.length() + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return "";
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
