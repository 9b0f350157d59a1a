package io.lyre.proxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HaRP's environment, validated as HaRP validates it (harp.md §1.3-1.4). */
class ProxyConfigTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("HP_SHARED_KEY", "some_very_secure_password");
        m.put("NC_INSTANCE_URL", "http://nextcloud");
        m.put("LYRE_LOCAL_DOCKER", "none");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    @Test
    void defaultsAreHarps() {
        ProxyConfig c = ProxyConfig.fromEnv(env());
        assertThat(c.exappsAddress()).isEqualTo(new HostPort("0.0.0.0", 8780));
        assertThat(c.exappsHttpsAddress()).isEqualTo(new HostPort("0.0.0.0", 8781));
        assertThat(c.timeouts()).isEqualTo(new ProxyConfig.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(1800), Duration.ofSeconds(1800)));
        assertThat(c.blacklistCount()).isEqualTo(10);
        assertThat(c.blacklistWindow()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.sessionLifetime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.logLevel()).isEqualTo("warning");
        assertThat(c.toString()).doesNotContain("some_very_secure_password");
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "NC_INSTANCE_URL|http://nc.local/index.php/|http://nc.local",
            "NC_INSTANCE_URL|'https://nc.local/sub/'|https://nc.local/sub",
            "NC_INSTANCE_URL|\"http://nc:8080/index.php\"|http://nc:8080"})
    void nextcloudUrlLosesQuotesSlashAndIndexPhp(String name, String value, String expected) {
        assertThat(ProxyConfig.fromEnv(env(name, value)).nextcloudUrl()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "HP_SHARED_KEY|NULL|HP_SHARED_KEY",
            "HP_SHARED_KEY|key with \" quote|HP_SHARED_KEY",
            "HP_SHARED_KEY|back\\slash|HP_SHARED_KEY",
            "HP_SHARED_KEY|caf\u00e9|HP_SHARED_KEY",
            "HP_SHARED_KEY_FILE|/no/such/file|HP_SHARED_KEY_FILE",
            "NC_INSTANCE_URL|NULL|NC_INSTANCE_URL",
            "NC_INSTANCE_URL|ftp://x|NC_INSTANCE_URL",
            "HP_EXAPPS_ADDRESS|8780|HP_EXAPPS_ADDRESS",
            "HP_EXAPPS_ADDRESS|0.0.0.0:99999|HP_EXAPPS_ADDRESS",
            "HP_TIMEOUT_CONNECT|thirty|HP_TIMEOUT_CONNECT",
            "HP_TIMEOUT_SERVER|10x|HP_TIMEOUT_SERVER",
            "HP_TIMEOUT_CLIENT|0|HP_TIMEOUT_CLIENT",
            "HP_SESSION_LIFETIME|11|HP_SESSION_LIFETIME",
            "HP_SESSION_LIFETIME|-1|HP_SESSION_LIFETIME",
            "HP_SESSION_LIFETIME|abc|HP_SESSION_LIFETIME",
            "HP_BLACKLIST_COUNT|ten|HP_BLACKLIST_COUNT",
            "HP_BLACKLIST_WINDOW|0|HP_BLACKLIST_WINDOW",
            "LYRE_LOCAL_DOCKER|http://x|LYRE_LOCAL_DOCKER",
            "LYRE_LOCAL_DOCKER_SLOT|24000|LYRE_LOCAL_DOCKER_SLOT",
            "LYRE_TLS_CERT|/no/cert.pem|LYRE_TLS_CERT"})
    void invalidSettingsStopStartupNamingTheVariable(String name, String value, String named) {
        Map<String, String> e = env(name, value);
        if (name.equals("HP_SHARED_KEY_FILE")) {
            e.remove("HP_SHARED_KEY");
        }
        assertThatThrownBy(() -> ProxyConfig.fromEnv(e)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(named + ":")
                .satisfies(t -> assertThat(((InvalidSettingException) t).variable()).isEqualTo(named));
    }

    @Test
    void keyAndKeyFileTogetherAreRefused(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("key"), "k");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("HP_SHARED_KEY_FILE", f.toString())))
                .hasMessageContaining("not both");
    }

    @Test
    void keyFileIsReadWithoutItsTrailingNewlineAndMustNotBeEmpty(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("key"), "from-file-key\n");
        assertThat(ProxyConfig.fromEnv(env("HP_SHARED_KEY", null, "HP_SHARED_KEY_FILE", f.toString())).sharedKey()).isEqualTo("from-file-key");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("HP_SHARED_KEY", null, "HP_SHARED_KEY_FILE", empty.toString())))
                .hasMessageContaining("empty");
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource({"30s,30000", "1800s,1800000", "500,500", "250ms,250", "2m,120000", "1h,3600000", "1d,86400000"})
    void haproxyDurations(String text, long millis) {
        assertThat(HaproxyDuration.parse("X", text).toMillis()).isEqualTo(millis);
    }

    @Test
    void tunnelTimeoutFollowsServerAndZeroMeans24Days() {
        assertThat(ProxyConfig.fromEnv(env("HP_TIMEOUT_SERVER", "60s")).timeouts().tunnel()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ProxyConfig.fromEnv(env("HP_TIMEOUT_TUNNEL", "0s")).timeouts().tunnel()).isEqualTo(Duration.ofDays(24));
    }

    @Test
    void trustedProxiesAreUnquotedMaskedAndInvalidOnesSkipped() {
        ProxyConfig c = ProxyConfig.fromEnv(env("HP_TRUSTED_PROXY_IPS", "\u201c10.1.2.3/8, 192.168.1.77/24,bogus, 2001:db8::1/32, 10.0.0.1/33\u201d"));
        assertThat(c.trustedProxies().networks()).extracting(Object::toString)
                .containsExactly("10.0.0.0/8", "192.168.1.0/24", "2001:db8:0:0:0:0:0:0/32");
        assertThat(c.warnings()).hasSize(2);
        assertThat(c.trustedProxies().clientIp("10.9.9.9", "1.2.3.4, 10.9.9.9", null)).isEqualTo("1.2.3.4");
        assertThat(c.trustedProxies().clientIp("10.9.9.9", null, "5.6.7.8")).isEqualTo("5.6.7.8");
        assertThat(c.trustedProxies().clientIp("11.0.0.1", "1.2.3.4", null)).isEqualTo("11.0.0.1");
    }

    @Test
    void unknownLogLevelWarnsAndFallsBackToWarning() {
        ProxyConfig c = ProxyConfig.fromEnv(env("HP_LOG_LEVEL", "verbose"));
        assertThat(c.logLevel()).isEqualTo("warning");
        assertThat(c.warnings()).anyMatch(w -> w.startsWith("HP_LOG_LEVEL"));
    }
}
