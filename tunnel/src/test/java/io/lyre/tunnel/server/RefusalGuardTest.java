package io.lyre.tunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalGuardTest {

    @Test
    void blocksAnAddressAfterTheLimitWithinTheWindowAndForgivesAfterIt() {
        AtomicLong now = new AtomicLong();
        RefusalGuard g = new RefusalGuard(3, Duration.ofSeconds(10), now::get);
        g.refused("10.0.0.1", "bad token");
        g.refused("10.0.0.1", "bad token");
        assertThat(g.isBlocked("10.0.0.1")).isFalse();
        g.refused("10.0.0.1", "bad token");
        assertThat(g.isBlocked("10.0.0.1")).isTrue();
        assertThat(g.isBlocked("10.0.0.2")).isFalse();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(g.isBlocked("10.0.0.1")).isFalse();
    }

    @Test
    void refusalsOutsideTheWindowDoNotAddUp() {
        AtomicLong now = new AtomicLong();
        RefusalGuard g = new RefusalGuard(2, Duration.ofSeconds(10), now::get);
        g.refused("a", "x");
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        g.refused("a", "x");
        assertThat(g.isBlocked("a")).isFalse();
    }
}
