package io.lyre.bench.frontdoor;

import io.lyre.bench.Args;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-flight check of the front door's session cache (harp.md §3.2: user-info answers cached per
 * {@code oc_sessionPassphrase} for HP_SESSION_LIFETIME). {@code --concurrency} keep-alive connections are opened
 * first with anonymous requests to {@code --warm-path} (a PUBLIC route: no user-info), then:
 * <ol>
 *   <li>burst: one request on every connection at once, all with ONE fresh session cookie, to {@code --path}
 *       (a USER route, so every request needs the user);</li>
 *   <li>sustained: another fresh cookie, every connection sends its next request as soon as the last one answered,
 *       for {@code --sustain-s} seconds (several cache lifetimes).</li>
 * </ol>
 * The Nextcloud stand-in's time-stamps of the user-info calls for each cookie give the count, the gaps between
 * calls, and the bound: at most one call per lifetime, i.e. at most floor(elapsed / lifetime) + 1 calls.
 */
final class SingleFlightClient {

    private final HttpClient client;
    private final String app;
    private final java.net.http.HttpClient control = java.net.http.HttpClient.newHttpClient();
    private final String nextcloud;

    private SingleFlightClient(HttpClient client, String app, String nextcloud) {
        this.client = client;
        this.app = app;
        this.nextcloud = nextcloud;
    }

    static void run(Args a) throws Exception {
        int conc = a.integer("concurrency", 1000);
        double lifetime = a.dbl("lifetime-s", 3);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(a.integer("port", 0))
                        .setKeepAlive(true).setConnectTimeout(10_000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(conc).setMaxWaitQueueSize(-1));
        SingleFlightClient c = new SingleFlightClient(http, a.str("app", null), "http://127.0.0.1:" + a.integer("nextcloud-port", 0));
        String path = a.str("path", "/user");

        // open the connections (anonymous, PUBLIC route: no user-info)
        Result warm = c.burst(a.str("warm-path", "/public"), null, conc);
        System.out.println("SF_WARM requests=" + conc + " statuses=" + warm + " elapsed_ms=" + warm.elapsedMs);
        int before = c.counts(null).getInteger("user_info");

        String cookie1 = "bench-sf-" + UUID.randomUUID();
        long epoch1 = System.currentTimeMillis();
        Result burst = c.burst(path, cookie1, conc);
        Calls calls1 = c.calls(cookie1, epoch1);
        System.out.printf("SF_BURST requests=%d ok=%d statuses=%s elapsed_ms=%d user_info_calls=%d call_offsets_ms=%s allowed_max=%d%n",
                conc, burst.ok(), burst, burst.elapsedMs, calls1.offsets.size(), calls1,
                (long) Math.floor(burst.elapsedMs / (lifetime * 1000)) + 1);

        String cookie2 = "bench-sf-" + UUID.randomUUID();
        long epoch2 = System.currentTimeMillis();
        Result sustained = c.sustain(path, cookie2, conc, (long) (a.dbl("sustain-s", 7) * 1000));
        Calls calls2 = c.calls(cookie2, epoch2);
        long minGap = Long.MAX_VALUE;
        for (int i = 1; i < calls2.offsets.size(); i++) {
            minGap = Math.min(minGap, calls2.offsets.get(i) - calls2.offsets.get(i - 1));
        }
        System.out.printf("SF_SUSTAIN concurrency=%d requests=%d ok=%d statuses=%s elapsed_ms=%d rps=%.0f user_info_calls=%d"
                        + " call_offsets_ms=%s min_gap_ms=%s allowed_max=%d%n",
                conc, sustained.total(), sustained.ok(), sustained, sustained.elapsedMs,
                sustained.total() * 1000.0 / Math.max(1, sustained.elapsedMs), calls2.offsets.size(), calls2,
                minGap == Long.MAX_VALUE ? "-" : Long.toString(minGap), (long) Math.floor(sustained.elapsedMs / (lifetime * 1000)) + 1);
        int after = c.counts(null).getInteger("user_info");
        System.out.println("SF_TOTAL user_info_calls_during_check=" + (after - before));
        System.out.flush();
        System.exit(0);
    }

    record Result(Map<String, Integer> statuses, long elapsedMs) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            statuses.forEach((k, v) -> b.append(b.length() > 0 ? "," : "").append(k).append(':').append(v));
            return b.toString();
        }

        int ok() {
            return statuses.getOrDefault("200", 0);
        }

        int total() {
            return statuses.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    record Calls(List<Long> offsets) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("[");
            offsets.forEach(o -> b.append(b.length() > 1 ? "," : "").append(o));
            return b.append(']').toString();
        }
    }

    private Future<Integer> one(String path, String cookie) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/exapps/" + app + path).setTimeout(60_000);
        if (cookie != null) {
            o.putHeader("Cookie", "oc_sessionPassphrase=" + cookie + "; nc_username=benchuser");
        }
        return client.request(o).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    private static void count(Map<String, AtomicInteger> statuses, io.vertx.core.AsyncResult<Integer> ar) {
        String k = ar.succeeded() ? Integer.toString(ar.result()) : "error:" + ar.cause().getClass().getSimpleName();
        statuses.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> m) {
        Map<String, Integer> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** {@code n} requests at once; waits for all of them (at most 120 s). */
    private Result burst(String path, String cookie, int n) throws InterruptedException {
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            one(path, cookie).onComplete(ar -> {
                count(statuses, ar);
                done.countDown();
            });
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            statuses.computeIfAbsent("unanswered", x -> new AtomicInteger()).addAndGet((int) done.getCount());
        }
        return new Result(snapshot(statuses), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** {@code n} request loops, each sending its next request when the last one answered, for {@code ms}. */
    private Result sustain(String path, String cookie, int n, long ms) throws InterruptedException {
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(n);
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.MILLISECONDS.toNanos(ms);
        AtomicLong last = new AtomicLong(t0);
        for (int i = 0; i < n; i++) {
            loop(path, cookie, end, statuses, done, last);
        }
        if (!done.await(ms + 120_000, TimeUnit.MILLISECONDS)) {
            statuses.computeIfAbsent("unanswered", x -> new AtomicInteger()).addAndGet((int) done.getCount());
        }
        return new Result(snapshot(statuses), TimeUnit.NANOSECONDS.toMillis(last.get() - t0));
    }

    private void loop(String path, String cookie, long end, Map<String, AtomicInteger> statuses, CountDownLatch done, AtomicLong last) {
        one(path, cookie).onComplete(ar -> {
            count(statuses, ar);
            long now = System.nanoTime();
            last.accumulateAndGet(now, Math::max);
            if (now - end < 0) {
                loop(path, cookie, end, statuses, done, last);
            } else {
                done.countDown();
            }
        });
    }

    private JsonObject counts(String session) throws Exception {
        String uri = nextcloud + "/bench/counts" + (session == null ? "" : "?session=" + session);
        HttpResponse<String> r = control.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    /** The stand-in's user-info calls for this passphrase, in ms after {@code epoch}. */
    private Calls calls(String session, long epoch) throws Exception {
        JsonArray arr = counts(session).getJsonArray("calls", new JsonArray());
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            offsets.add(arr.getLong(i) - epoch);
        }
        return new Calls(offsets);
    }
}
