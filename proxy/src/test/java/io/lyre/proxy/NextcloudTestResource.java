package io.lyre.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

/**
 * For the @QuarkusTests: a Nextcloud stand-in that knows "test-exapp" (a {@link FakeExApp} reached directly)
 * and "tunnel-app" (placed on an in-process agent by {@link ProxyMetricsTest}), and the front door's settings
 * that go with it: 127.0.0.1 is a trusted proxy (tests choose their client address with X-Forwarded-For), three
 * failures ban.
 */
public class NextcloudTestResource implements QuarkusTestResourceLifecycleManager {
    static final String KEY = "quarkus-test-key-123";
    static final String SECRET = "quarkus-app-secret";

    private Vertx vertx;
    private NextcloudStandIn nextcloud;
    private FakeExApp exapp;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            vertx = Vertx.vertx();
            nextcloud = new NextcloudStandIn(KEY, "127.0.0.1");
            exapp = new FakeExApp(vertx);
            dataDir = Files.createTempDirectory("lyre-quarkus-test");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        nextcloud.app("test-exapp", NextcloudStandIn.metadata(SECRET, "1.0.0", "127.0.0.1", exapp.port()));
        nextcloud.app("tunnel-app", NextcloudStandIn.metadata(SECRET, "1.0.0", "127.0.0.1", 23000));
        // a fresh data directory: agents joined by an earlier run must not linger in the registry (or use up slots)
        return Map.of("NC_INSTANCE_URL", nextcloud.url("127.0.0.1") + "/index.php/", "HP_TRUSTED_PROXY_IPS", "127.0.0.1/32",
                "HP_BLACKLIST_COUNT", "3", "HP_SESSION_LIFETIME", "10", "LYRE_DATA_DIR", dataDir.toString());
    }

    @Override
    public void stop() {
        try {
            if (exapp != null) {
                exapp.close();
            }
        } catch (Exception ignored) {
            // going away anyway
        }
        if (nextcloud != null) {
            nextcloud.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory
            }
        }
    }
}
