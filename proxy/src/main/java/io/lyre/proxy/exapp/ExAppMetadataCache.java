package io.lyre.proxy.exapp;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * ExApp metadata by lower-cased app id (harp.md §2.4): entries pushed by {@code exapp_storage} or fetched from
 * Nextcloud's {@code exapp-meta}; concurrent fetches for one app share one call (single-flight), and
 * "Nextcloud does not know this app" is remembered for 15 s so that a flood of requests for an unknown app
 * does not become a flood of call-backs.
 */
public final class ExAppMetadataCache {
    public static final Duration NEGATIVE_TTL = Duration.ofSeconds(15);

    private final Function<String, Future<Optional<ExAppMetadata>>> fetcher;
    private final LongSupplier clock;
    private final long negativeTtlNanos;
    private final Map<String, ExAppMetadata> known = new ConcurrentHashMap<>();
    private final Map<String, Long> unknownSince = new ConcurrentHashMap<>();
    private final Map<String, Future<Optional<ExAppMetadata>>> inFlight = new ConcurrentHashMap<>();

    public ExAppMetadataCache(Function<String, Future<Optional<ExAppMetadata>>> fetcher) {
        this(fetcher, NEGATIVE_TTL, System::nanoTime);
    }

    ExAppMetadataCache(Function<String, Future<Optional<ExAppMetadata>>> fetcher, Duration negativeTtl, LongSupplier clock) {
        this.fetcher = fetcher;
        this.negativeTtlNanos = negativeTtl.toNanos();
        this.clock = clock;
    }

    private static String key(String appId) {
        return appId.toLowerCase(Locale.ROOT);
    }

    /** exapp_storage POST: store and forget any "unknown" mark. */
    public void put(String appId, ExAppMetadata metadata) {
        known.put(key(appId), metadata);
        unknownSince.remove(key(appId));
    }

    /** exapp_storage DELETE: true when there was an entry (HaRP answers 404 otherwise). */
    public boolean remove(String appId) {
        return known.remove(key(appId)) != null;
    }

    public Optional<ExAppMetadata> cached(String appId) {
        return Optional.ofNullable(known.get(key(appId)));
    }

    /**
     * The metadata, from the cache or Nextcloud. Completes empty when Nextcloud does not know the app; fails
     * when the call-back failed or returned something invalid.
     */
    public Future<Optional<ExAppMetadata>> get(String appId) {
        String k = key(appId);
        ExAppMetadata hit = known.get(k);
        if (hit != null) {
            return Future.succeededFuture(Optional.of(hit));
        }
        Long since = unknownSince.get(k);
        if (since != null) {
            if (clock.getAsLong() - since < negativeTtlNanos) {
                return Future.succeededFuture(Optional.empty());
            }
            unknownSince.remove(k, since);
        }
        Promise<Optional<ExAppMetadata>> mine = Promise.promise();
        Future<Optional<ExAppMetadata>> running = inFlight.putIfAbsent(k, mine.future());
        if (running != null) {
            return running;
        }
        // registered before the call starts, so a fetcher that completes at once cannot race the map
        fetcher.apply(k).onComplete(ar -> {
            if (ar.succeeded()) {
                if (ar.result().isPresent()) {
                    known.putIfAbsent(k, ar.result().get()); // a concurrent exapp_storage push wins
                } else {
                    unknownSince.put(k, clock.getAsLong());
                }
            }
            inFlight.remove(k);
            mine.handle(ar);
        });
        return mine.future();
    }
}
