package io.lyre.tunnel.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter for re-dialing the proxy: 0.2 s doubling to 10 s, each delay
 * moved by up to ±20 % so that many agents cut off together do not come back in lock-step.
 */
public record BackoffPolicy(Duration initial, Duration max, double multiplier, double jitter) {

    public static BackoffPolicy defaults() {
        return new BackoffPolicy(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.2);
    }

    /** The delay before attempt {@code attempt} (0 = the first retry). */
    public Duration delay(int attempt) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.min(attempt, 30));
        double capped = Math.min(base, max.toMillis());
        double factor = 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
        return Duration.ofMillis(Math.max(1, Math.round(capped * factor)));
    }
}
