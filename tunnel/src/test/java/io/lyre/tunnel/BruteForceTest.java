package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lyre.tunnel.client.JoinClient;
import io.lyre.tunnel.server.JoinToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BruteForceTest {

    @TempDir
    Path tmp;

    @Test
    void anAddressWithTooManyRefusalsIsRefusedOutrightEvenWithAGoodToken() throws Exception {
        try (TunnelServer server = TunnelFixture.server(tmp.resolve("proxy"), 3); LogCapture log = new LogCapture()) {
            String address = "127.0.0.1:" + server.port();
            JoinToken good = server.createJoinToken(Duration.ofMinutes(5));
            for (int i = 0; i < 3; i++) {
                String bad = new JoinToken(good.caFingerprint(), "zzzzzzz" + i, "y".repeat(32)).toString();
                assertThatThrownBy(() -> JoinClient.join(address, bad, "guess", Map.of(), 0, tmp.resolve("g")))
                        .hasMessageContaining("join refused");
            }
            assertThat(log.text()).contains("is blocked for 60 s");
            assertThatThrownBy(() -> JoinClient.join(address, good.toString(), "late", Map.of(), 0, tmp.resolve("late")))
                    .hasMessageContaining("too many refused attempts");
        }
    }
}
