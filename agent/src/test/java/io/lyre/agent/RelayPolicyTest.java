package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayPolicyTest {

    @Test
    void cidrsMatchByPrefix() throws Exception {
        Cidr c = Cidr.parse("172.18.0.0/16");
        assertThat(c.contains(InetAddress.getByName("172.18.3.4"))).isTrue();
        assertThat(c.contains(InetAddress.getByName("172.19.0.1"))).isFalse();
        assertThat(Cidr.parse("10.0.0.0/9").contains(InetAddress.getByName("10.127.255.255"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").contains(InetAddress.getByName("10.128.0.0"))).isFalse();
        assertThat(Cidr.parse("fd00:1::/64").contains(InetAddress.getByName("fd00:1::5"))).isTrue();
        assertThat(c.contains(InetAddress.getByName("::1"))).isFalse();
    }

    @Test
    void loopbackAndDockerNetworksAreAllowedAndNothingElse() throws Exception {
        RelayPolicy p = new RelayPolicy(() -> List.of(Cidr.parse("172.18.0.0/16")));
        assertThat(p.check("127.0.0.1").isLoopbackAddress()).isTrue();
        assertThat(p.check("localhost").isLoopbackAddress()).isTrue();
        assertThat(p.check("172.18.0.7").getHostAddress()).isEqualTo("172.18.0.7");
        assertThatThrownBy(() -> p.check("192.168.1.10")).isInstanceOf(RelayPolicy.Refused.class)
                .hasMessageContaining("relay policy");
    }

    @Test
    void ipLiteralsKnownToBeAllowedAreDecidedWithoutBlocking() throws Exception {
        java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();
        RelayPolicy p = new RelayPolicy(() -> {
            loads.incrementAndGet();
            return List.of(Cidr.parse("172.18.0.0/16"));
        });
        assertThat(p.checkWithoutBlocking("127.0.0.1").isLoopbackAddress()).isTrue();
        assertThat(p.checkWithoutBlocking("::1").isLoopbackAddress()).isTrue();
        assertThat(p.checkWithoutBlocking("localhost")).isNull(); // a name: the blocking path resolves it
        assertThat(p.checkWithoutBlocking("172.18.0.7")).isNull(); // subnets not loaded yet: never loaded here
        assertThat(loads.get()).isZero();
        p.check("172.18.0.7"); // loads the subnets
        assertThat(p.checkWithoutBlocking("172.18.0.7").getHostAddress()).isEqualTo("172.18.0.7");
        assertThat(p.checkWithoutBlocking("192.168.1.10")).isNull(); // a miss: the blocking path refreshes and refuses
        assertThat(RelayPolicy.isIpLiteral("10.0.0.1")).isTrue();
        assertThat(RelayPolicy.isIpLiteral("[fd00::1]")).isTrue();
        assertThat(RelayPolicy.isIpLiteral("10.0.0")).isFalse();
        assertThat(RelayPolicy.isIpLiteral("app.internal")).isFalse();
        assertThat(RelayPolicy.isIpLiteral("")).isFalse();
    }

    @Test
    void anEngineThatDoesNotAnswerLeavesLoopbackOnly() throws Exception {
        RelayPolicy p = new RelayPolicy(() -> {
            throw new IllegalStateException("no engine");
        });
        assertThat(p.check("127.0.0.1").isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> p.check("172.17.0.2")).isInstanceOf(RelayPolicy.Refused.class);
    }
}
