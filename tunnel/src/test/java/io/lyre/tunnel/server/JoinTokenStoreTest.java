package io.lyre.tunnel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokenStoreTest {

    static final String FP = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    @Test
    void aTokenPrintsAndParsesBackAndCarriesThePin() {
        JoinToken t = JoinToken.generate(FP);
        assertThat(t.toString()).startsWith("LYRE1::sha256:" + FP + "::");
        assertThat(JoinToken.parse(t.toString())).isEqualTo(t);
    }

    @Test
    void malformedTokensAreRejectedWithoutEchoingThem() {
        assertThatThrownBy(() -> JoinToken.parse("LYRE1::sha256:xyz::abc.def"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("xyz");
        assertThatThrownBy(() -> JoinToken.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTokenIsGoodOnceAndStoredOnlyHashed() throws Exception {
        JoinTokenStore store = new JoinTokenStore(tmp.resolve("tokens.json"), Clock.systemUTC());
        JoinToken t = store.create(FP, Duration.ofMinutes(5));
        assertThat(Files.readString(tmp.resolve("tokens.json"))).doesNotContain(t.secret());
        assertThat(store.consume(t, "agent-1")).isEqualTo(JoinTokenStore.Verdict.OK);
        assertThat(store.consume(t, "agent-2")).isEqualTo(JoinTokenStore.Verdict.USED);
        assertThat(store.consume(new JoinToken(FP, t.id(), "a".repeat(32)), "x")).isEqualTo(JoinTokenStore.Verdict.WRONG_SECRET);
        assertThat(store.consume(JoinToken.generate(FP), "x")).isEqualTo(JoinTokenStore.Verdict.UNKNOWN);
    }

    @Test
    void anExpiredTokenIsRefused() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        JoinToken t = new JoinTokenStore(tmp.resolve("tokens.json"), Clock.fixed(now, ZoneOffset.UTC))
                .create(FP, Duration.ofMinutes(5));
        JoinTokenStore later = new JoinTokenStore(tmp.resolve("tokens.json"), Clock.fixed(now.plusSeconds(301), ZoneOffset.UTC));
        assertThat(later.consume(t, "a")).isEqualTo(JoinTokenStore.Verdict.EXPIRED);
    }
}
