package io.lyre.proxy.security;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * HaRP's ban rule (harp.md §3.4): an IP is banned while at least {@code limit} failures fall inside the
 * sliding window. There is no fixed ban duration: the ban ends as old failures age out, and requests that
 * arrive while banned add no failures, so a ban lasts at most one window after the last failure.
 */
public final class BruteForceGuard {
    private final int limit;
    private final long windowNanos;
    private final LongSupplier clock;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    private volatile Runnable banListener = () -> { };

    public BruteForceGuard(int limit, Duration window) {
        this(limit, window, System::nanoTime);
    }

    BruteForceGuard(int limit, Duration window, LongSupplier clock) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.clock = clock;
    }

    public boolean isBanned(String ip) {
        Deque<Long> times = failures.get(ip);
        if (times == null) {
            return false;
        }
        synchronized (times) {
            prune(times, clock.getAsLong());
            return times.size() >= limit;
        }
    }

    public void recordFailure(String ip) {
        long now = clock.getAsLong();
        Deque<Long> times = failures.computeIfAbsent(ip, k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now);
            if (times.size() < limit) { // a banned IP does not extend its own ban
                times.addLast(now);
                if (times.size() == limit) {
                    banListener.run();
                }
            }
        }
    }

    public int failuresOf(String ip) {
        Deque<Long> times = failures.get(ip);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            prune(times, clock.getAsLong());
            return times.size();
        }
    }

    /** Runs {@code r} each time an address becomes banned (metrics); keep it short. */
    public void onBan(Runnable r) {
        this.banListener = r == null ? () -> { } : r;
    }

    /** How many addresses are banned now. */
    public int bannedCount() {
        long now = clock.getAsLong();
        int n = 0;
        for (Deque<Long> times : failures.values()) {
            synchronized (times) {
                prune(times, now);
                if (times.size() >= limit) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Drops IPs with no failure left in the window, so the map does not grow without bound. */
    public void sweep() {
        long now = clock.getAsLong();
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
    }
}
