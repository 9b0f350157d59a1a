package io.lyre.tunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffPolicyTest {

    @Test
    void doublesFromTwoHundredMillisToATenSecondCapWithTwentyPercentJitter() {
        BackoffPolicy p = BackoffPolicy.defaults();
        for (int i = 0; i < 200; i++) {
            assertThat(p.delay(0).toMillis()).isBetween(160L, 240L);
            assertThat(p.delay(1).toMillis()).isBetween(320L, 480L);
            assertThat(p.delay(20).toMillis()).isBetween(8000L, 12000L);
        }
    }

    @Test
    void proxyAddressesDefaultToTheTunnelPort() {
        assertThat(ProxyAddress.parse("proxy.lan")).isEqualTo(new ProxyAddress("proxy.lan", 8782));
        assertThat(ProxyAddress.parse("10.0.0.5:9000")).isEqualTo(new ProxyAddress("10.0.0.5", 9000));
        assertThat(ProxyAddress.parse("[::1]:9000")).isEqualTo(new ProxyAddress("::1", 9000));
        assertThat(ProxyAddress.parse("https://proxy.lan:8782").port()).isEqualTo(8782);
    }
}
