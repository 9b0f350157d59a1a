package io.lyre.tunnel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many received payload bytes this process may hold for exchanges whose readers are stalled, over all its tunnel
 * streams together. Each exchange's window bounds what it alone can hold (1 MiB); this bounds the sum, so a thousand
 * stalled downloads cannot fill the heap. Each exchange holds its first quarter window on its own
 * ({@code Exchange.FREE_HOLD_BYTES}: small responses never touch this shared counter); what it holds past that is held
 * here. Stalled means: past that quarter window with nothing taken by its reader for a second. A stalled exchange whose
 * next frame does not fit is dropped (503). A reader that keeps up, however slowly, is never refused: its window bounds
 * what it holds, and what it holds counts here too, so stalled ones give way to it.
 */
public final class ReceiveBudget {

    /** A quarter of the heap, and never under 64 MiB (sixty-four stalled exchanges with full windows). */
    public static final long DEFAULT_BYTES = Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);

    private static final ReceiveBudget PROCESS = new ReceiveBudget(DEFAULT_BYTES);

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public ReceiveBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("a receive budget must be positive, not " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** The one budget of this process with {@link #DEFAULT_BYTES}: what an agent uses (the proxy's is configured). */
    public static ReceiveBudget process() {
        return PROCESS;
    }

    /** Holds {@code bytes} if they fit under the limit; false (and nothing held) if not. */
    boolean tryHold(long bytes) {
        for (;;) {
            long now = held.get();
            if (now + bytes > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Holds {@code bytes} whatever the limit: for readers that keep up. */
    void hold(long bytes) {
        held.addAndGet(bytes);
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** Counts one exchange dropped because its frame did not fit. */
    void dropped() {
        dropped.incrementAndGet();
    }

    /** Exchanges dropped for this budget so far. */
    public long droppedExchanges() {
        return dropped.get();
    }

    /** Bytes held now: what exchanges hold past their first quarter window. */
    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }
}
