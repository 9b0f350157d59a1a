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

    @Test
    void countsBlockedAddressesAndTellsEachNewBlockOnce() {
        AtomicLong now = new AtomicLong();
        RefusalGuard g = new RefusalGuard(2, Duration.ofSeconds(10), now::get);
        java.util.List<String> blocked = new java.util.ArrayList<>();
        g.onBlocked(blocked::add);
        g.refused("a", "x");
        assertThat(g.blockedCount()).isZero();
        g.refused("a", "x");
        g.refused("a", "x"); // already blocked: no second report
        g.refused("b", "x");
        assertThat(blocked).containsExactly("a");
        assertThat(g.blockedCount()).isEqualTo(1);
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(g.blockedCount()).isZero();
    }
}
