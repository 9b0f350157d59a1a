package io.lyre.proxy.nextcloud;

import io.lyre.proxy.exapp.AccessLevel;
import io.lyre.proxy.exapp.ExAppMetadata;
import io.lyre.proxy.exapp.NcUser;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The two call-backs HaRP makes to Nextcloud (appapi.md §3): {@code exapp-meta} and {@code user-info}, both
 * with the {@code harp-shared-key} header; 5 s to connect, 25 s in all, no cookie jar, as HaRP's aiohttp session.
 */
public final class NextcloudClient {
    /** Not forwarded to user-info: HaRP drops host and content-length; hop-by-hop headers do not travel either. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "keep-alive",
            "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "expect", "harp-shared-key",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol");

    private final HttpClient http;
    private final String baseUrl;
    private final String sharedKey;

    public NextcloudClient(Vertx vertx, String nextcloudUrl, String sharedKey) {
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(100));
        this.baseUrl = nextcloudUrl + "/index.php/apps/app_api/harp/";
        this.sharedKey = sharedKey;
    }

    /** exapp-meta: present on 200, empty on 401/404 ("not found"), failed on anything else. */
    public Future<Optional<ExAppMetadata>> exappMeta(String appId) {
        RequestOptions options = request("exapp-meta?appId=" + encode(appId.toLowerCase(Locale.ROOT)));
        return http.request(options)
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(body -> {
                    int s = resp.statusCode();
                    if (s == 401 || s == 404) {
                        return Optional.<ExAppMetadata>empty();
                    }
                    if (s != 200) {
                        throw new IllegalStateException("exapp-meta answered " + s);
                    }
                    return Optional.of(ExAppMetadata.fromJson(new JsonObject(body)));
                }));
    }

    /** user-info with the client's headers: a 4xx means anonymous, a 5xx or a failure fails (HaRP answers 401). */
    public Future<NcUser> userInfo(String appId, MultiMap clientHeaders) {
        RequestOptions options = request("user-info?appId=" + encode(appId));
        clientHeaders.forEach(h -> {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        options.putHeader("harp-shared-key", sharedKey);
        return http.request(options)
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(body -> parseUser(resp.statusCode(), body)));
    }

    private static NcUser parseUser(int status, Buffer body) {
        if (status >= 400 && status < 500) {
            return NcUser.ANONYMOUS;
        }
        if (status != 200) {
            throw new IllegalStateException("user-info answered " + status);
        }
        JsonObject json = new JsonObject(body);
        Object uid = json.getValue("user_id");
        Object level = json.getValue("access_level");
        if (!(level instanceof Number n)) {
            throw new IllegalStateException("user-info without access_level");
        }
        return new NcUser(uid instanceof String s ? s : "", AccessLevel.of(n.intValue()));
    }

    private RequestOptions request(String path) {
        return new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(baseUrl + path)
                .putHeader("harp-shared-key", sharedKey).putHeader("accept", "application/json")
                .setIdleTimeout(25_000);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public void close() {
        http.close();
    }
}
