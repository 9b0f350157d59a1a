package io.lyre.bench.tunnel;

import io.lyre.bench.Args;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk transfer through one path: {@code --streams} parallel downloads of {@code /bulk?mib=N} and then uploads
 * of N MiB each to {@code /upload}; prints MB/s (10^6 bytes) for each direction. Bounded by {@code --timeout-s}.
 */
final class BulkClient {

    private BulkClient() {
    }

    static void run(Args a) throws Exception {
        int port = a.integer("port", 0);
        int streams = a.integer("streams", 1);
        long totalMib = a.lng("total-mib", 1024);
        long perStream = totalMib / streams;
        int timeout = a.integer("timeout-s", 120);
        String label = a.str("label", "path");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(streams));
        try {
            // warm-up: a few small transfers so the JITs of every process on the path have compiled the loop
            for (int i = 0; i < 3; i++) {
                download(client, 32).toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
                upload(client, 32).toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
            }
            for (String dir : List.of("download", "upload")) {
                long t0 = System.nanoTime();
                List<Future<Long>> all = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    all.add(dir.equals("download") ? download(client, perStream) : upload(client, perStream));
                }
                long bytes = 0;
                for (Future<Long> f : all) {
                    bytes += f.toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (bytes != (perStream << 20) * streams) {
                    throw new IllegalStateException(dir + ": " + bytes + " bytes moved, expected " + (perStream << 20) * streams);
                }
                System.out.printf("BULK %s %s streams=%d bytes=%d seconds=%.3f MBps=%.1f%n", label, dir, streams, bytes, s, bytes / s / 1e6);
            }
        } finally {
            vertx.close();
        }
    }

    static Future<Long> download(HttpClient client, long mib) {
        return client.request(HttpMethod.GET, "/bulk?mib=" + mib).compose(HttpClientRequest::send).compose(resp -> {
            if (resp.statusCode() != 200) {
                return Future.failedFuture("download: status " + resp.statusCode());
            }
            AtomicLong n = new AtomicLong();
            resp.handler(b -> n.addAndGet(b.length()));
            return resp.end().map(v -> n.get());
        });
    }

    static Future<Long> upload(HttpClient client, long mib) {
        long bytes = mib << 20;
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/upload")
                .putHeader("content-length", Long.toString(bytes))).compose(req -> {
            Promise<Long> done = Promise.promise();
            req.response().compose(resp -> resp.body().map(b -> {
                if (resp.statusCode() != 200) {
                    throw new IllegalStateException("upload: status " + resp.statusCode() + " " + b);
                }
                return Long.parseLong(b.toString().trim());
            })).onComplete(done);
            pump(req, bytes);
            return done.future();
        });
    }

    private static void pump(HttpClientRequest req, long left) {
        while (left > 0) {
            int n = (int) Math.min(Backend.CHUNK.length(), left);
            req.write(n == Backend.CHUNK.length() ? Backend.CHUNK : Backend.CHUNK.getBuffer(0, n));
            left -= n;
            if (req.writeQueueFull() && left > 0) {
                long rest = left;
                req.drainHandler(v -> pump(req, rest));
                return;
            }
        }
        req.end();
    }
}
