package io.lyre.tunnel.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection for the tunnel port, after HaRP's HP_BLACKLIST_COUNT / HP_BLACKLIST_WINDOW:
 * after {@code maxRefusals} refusals from one address within {@code window}, that address is refused
 * outright until the window has passed since its last counted refusal.
 */
public final class RefusalGuard {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalGuard.class);

    private final int maxRefusals;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Deque<Long>> refusals = new HashMap<>();
    private volatile Consumer<String> blockListener = a -> { };

    public RefusalGuard(int maxRefusals, Duration window) {
        this(maxRefusals, window, System::nanoTime);
    }

    RefusalGuard(int maxRefusals, Duration window, LongSupplier nanoClock) {
        this.maxRefusals = maxRefusals;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Counts one refusal and logs it with its reason. */
    public synchronized void refused(String address, String reason) {
        long now = nanoClock.getAsLong();
        Deque<Long> times = refusals.computeIfAbsent(address, a -> new ArrayDeque<>());
        prune(times, now);
        times.addLast(now);
        LOG.warn("tunnel refused {}: {} ({} of {} within {} s)", address, reason, times.size(), maxRefusals,
                windowNanos / 1_000_000_000L);
        if (times.size() == maxRefusals) {
            LOG.warn("tunnel: {} is blocked for {} s after {} refusals", address, windowNanos / 1_000_000_000L, maxRefusals);
            blockListener.accept(address);
        }
    }

    /** True while {@code address} has reached the limit within the window. */
    public synchronized boolean isBlocked(String address) {
        Deque<Long> times = refusals.get(address);
        if (times == null) {
            return false;
        }
        prune(times, nanoClock.getAsLong());
        if (times.isEmpty()) {
            refusals.remove(address);
            return false;
        }
        return times.size() >= maxRefusals;
    }

    /** Told (under this guard's lock: keep it short) each time an address becomes blocked. */
    public void onBlocked(Consumer<String> listener) {
        this.blockListener = listener == null ? a -> { } : listener;
    }

    /** How many addresses are blocked now. */
    public synchronized int blockedCount() {
        long now = nanoClock.getAsLong();
        int n = 0;
        for (var it = refusals.values().iterator(); it.hasNext(); ) {
            Deque<Long> times = it.next();
            prune(times, now);
            if (times.isEmpty()) {
                it.remove();
            } else if (times.size() >= maxRefusals) {
                n++;
            }
        }
        return n;
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() > windowNanos) {
            times.removeFirst();
        }
    }
}
