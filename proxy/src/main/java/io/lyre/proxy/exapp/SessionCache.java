package io.lyre.proxy.exapp;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * user-info answers by the raw {@code oc_sessionPassphrase} cookie, kept for HP_SESSION_LIFETIME (0 turns the
 * cache off), as HaRP does (harp.md §3.2). Unlike HaRP, concurrent look-ups for one passphrase share one
 * call-back, so a burst on one session costs Nextcloud one call per lifetime.
 */
public final class SessionCache {
    private record Entry(NcUser user, long expiresAt) {
    }

    private final long lifetimeNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Future<NcUser>> inFlight = new ConcurrentHashMap<>();

    public SessionCache(Duration lifetime) {
        this.lifetimeNanos = lifetime.toNanos();
    }

    public Future<NcUser> get(String passphrase, Supplier<Future<NcUser>> lookup) {
        if (lifetimeNanos <= 0 || passphrase == null) {
            return lookup.get();
        }
        long now = System.nanoTime();
        Entry e = entries.get(passphrase);
        if (e != null && now - e.expiresAt < 0) {
            return Future.succeededFuture(e.user);
        }
        Promise<NcUser> mine = Promise.promise();
        Future<NcUser> running = inFlight.putIfAbsent(passphrase, mine.future());
        if (running != null) {
            return running;
        }
        // A lookup may have finished between the cache check and claiming the flight: look again.
        Entry fresh = entries.get(passphrase);
        if (fresh != null && System.nanoTime() - fresh.expiresAt < 0) {
            inFlight.remove(passphrase, mine.future());
            mine.complete(fresh.user);
            return mine.future();
        }
        lookup.get().onComplete(ar -> {
            if (ar.succeeded()) {
                entries.put(passphrase, new Entry(ar.result(), System.nanoTime() + lifetimeNanos));
            }
            inFlight.remove(passphrase);
            mine.handle(ar);
        });
        return mine.future();
    }

    /** Forgets expired entries (called from a periodic timer). */
    public void sweep() {
        long now = System.nanoTime();
        entries.values().removeIf(e -> now - e.expiresAt >= 0);
    }
}
