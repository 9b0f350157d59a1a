package io.lyre.tunnel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's idle, pre-opened exchange streams from one agent. The agent keeps a few open ahead of need
 * (like frp's work-connection pool), so a new exchange starts with its first frame, without a round trip.
 * When none is idle, takers wait (briefly) for the agent to open more.
 */
final class ExchangePool {

    private final String agentName;
    private final ArrayDeque<Exchange> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Exchange>> waiters = new ArrayDeque<>();
    private TunnelException closedWith;

    ExchangePool(String agentName) {
        this.agentName = agentName;
    }

    void offer(Exchange ex) {
        synchronized (this) {
            if (closedWith == null) {
                while (!waiters.isEmpty()) {
                    if (waiters.pollFirst().complete(ex)) {
                        return;
                    }
                }
                idle.addLast(ex);
                return;
            }
        }
        ex.abort(closedWith);
    }

    CompletableFuture<Exchange> take(Duration timeout, ScheduledExecutorService timer) {
        CompletableFuture<Exchange> f = new CompletableFuture<>();
        synchronized (this) {
            if (closedWith != null) {
                f.completeExceptionally(closedWith);
                return f;
            }
            while (!idle.isEmpty()) {
                Exchange ex = idle.pollFirst();
                if (!ex.isClosed()) {
                    f.complete(ex);
                    return f;
                }
            }
            waiters.addLast(f);
        }
        java.util.concurrent.ScheduledFuture<?> expiry = timer.schedule(() -> {
            synchronized (this) {
                waiters.remove(f);
            }
            f.completeExceptionally(new TunnelException(503, "agent " + agentName
                    + " opened no exchange stream within " + timeout.toMillis() + " ms"));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        f.whenComplete((ex, err) -> expiry.cancel(false)); // served in time: drop the timer task at once
        return f;
    }

    synchronized void remove(Exchange ex) {
        idle.remove(ex);
    }

    synchronized int idleCount() {
        return idle.size();
    }

    void close(TunnelException reason) {
        ArrayDeque<Exchange> streams;
        ArrayDeque<CompletableFuture<Exchange>> pendingTakers;
        synchronized (this) {
            if (closedWith != null) {
                return;
            }
            closedWith = reason;
            streams = new ArrayDeque<>(idle);
            pendingTakers = new ArrayDeque<>(waiters);
            idle.clear();
            waiters.clear();
        }
        pendingTakers.forEach(w -> w.completeExceptionally(reason));
        streams.forEach(ex -> ex.abort(reason));
    }
}
