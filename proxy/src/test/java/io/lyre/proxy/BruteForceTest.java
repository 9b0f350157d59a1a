package io.lyre.proxy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** HaRP's ban: HP_BLACKLIST_COUNT failures inside HP_BLACKLIST_WINDOW, released as they age out (harp.md §3.4). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BruteForceTest {
    private FrontDoorHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new FrontDoorHarness(Map.of("HP_BLACKLIST_COUNT", "3", "HP_BLACKLIST_WINDOW", "2",
                "HP_TRUSTED_PROXY_IPS", "'127.0.0.1/32, not-a-cidr'"));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private String from(String ip, String path) throws Exception {
        return h.get(path, "X-Forwarded-For: " + ip + ", 10.0.0.1");
    }

    @Test
    void clientIsBannedAfterTheLimitAndReleasedAfterTheWindow() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(from("203.0.113.9", "/exapps/test-exapp/imaginary")).startsWith("HTTP/1.1 404");
        }
        assertThat(from("203.0.113.9", "/exapps/test-exapp/public")).as("banned: silent drop").isEmpty();
        assertThat(from("203.0.113.10", "/exapps/test-exapp/public")).as("another client").startsWith("HTTP/1.1 200");
        Thread.sleep(2_100);
        assertThat(from("203.0.113.9", "/exapps/test-exapp/public")).as("released").startsWith("HTTP/1.1 200");
    }

    @Test
    void requestsWhileBannedDoNotExtendTheBan() throws Exception {
        for (int i = 0; i < 3; i++) {
            from("203.0.113.20", "/exapps/test-exapp/imaginary");
        }
        Thread.sleep(1_000);
        assertThat(from("203.0.113.20", "/exapps/test-exapp/public")).isEmpty();
        Thread.sleep(1_100);
        assertThat(from("203.0.113.20", "/exapps/test-exapp/public")).startsWith("HTTP/1.1 200");
    }

    @Test
    void forwardedForIsHonouredFromATrustedProxyOnly() throws Exception {
        assertThat(h.config.warnings()).anyMatch(w -> w.contains("not-a-cidr"));
        from("198.51.100.1", "/exapps/test-exapp/imaginary");
        assertThat(h.server.guard().failuresOf("198.51.100.1")).isEqualTo(1);
        assertThat(h.server.guard().failuresOf("127.0.0.1")).isZero();
    }

    @Test
    void nextcloudsOwnCallsWithTheKeyAreNotCountedForUnknownApps() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(h.get("/exapps/unknown-app/heartbeat", "harp-shared-key: " + FrontDoorHarness.KEY)).startsWith("HTTP/1.1 404");
        }
        assertThat(h.server.guard().failuresOf("127.0.0.1")).isZero();
    }

    @Test
    void wrongKeyOnAppApiCountsAndBans() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(h.get("/exapps/app_api/info", "harp-shared-key: nope")).startsWith("HTTP/1.1 401").endsWith("401 Unauthorized");
        }
        assertThat(h.get("/exapps/app_api/info", "harp-shared-key: " + FrontDoorHarness.KEY)).isEmpty();
    }
}
