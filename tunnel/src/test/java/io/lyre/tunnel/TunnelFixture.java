package io.lyre.tunnel;

import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.JoinClient;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.DockerFacts;
import io.lyre.tunnel.proto.Hello;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Starts a real server on an ephemeral loopback port and joins/connects in-process agents to it. */
final class TunnelFixture {

    static TunnelServer server(Path dir, int blacklistCount) throws Exception {
        return server(dir, blacklistCount, UnaryOperator.identity());
    }

    static TunnelServer server(Path dir, int blacklistCount, UnaryOperator<TunnelServerConfig> more) throws Exception {
        TunnelServerConfig cfg = TunnelServerConfig.defaults(dir).withBind("127.0.0.1", 0)
                .withBlacklist(blacklistCount, Duration.ofSeconds(60))
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .withLostGrace(Duration.ofSeconds(1));
        return new TunnelServer(more.apply(cfg)).start();
    }

    static AgentCredentials join(TunnelServer server, Path agentDir, String name) throws Exception {
        return JoinClient.join("127.0.0.1:" + server.port(), server.createJoinToken(Duration.ofMinutes(5)).toString(),
                name, Map.of("zone", "test"), 0, agentDir);
    }

    static Hello hello(String name, int protocolVersion) {
        return Hello.newBuilder().setProtocolVersion(protocolVersion).setAgentVersion("test").setName(name)
                .setInventoryJson(com.google.protobuf.ByteString.copyFromUtf8("{}"))
                .setDocker(DockerFacts.newBuilder().setAvailable(false).setError("no engine in unit tests")).build();
    }

    static TunnelClient connect(AgentCredentials creds, TunnelClient.ExchangeHandler handler, int protocolVersion)
            throws Exception {
        TunnelClient c = new TunnelClient(TunnelClient.Config.of(creds),
                () -> hello(creds.identity().name(), protocolVersion), handler).start();
        return c;
    }

    static Path dir(Path base, String name) throws Exception {
        return Files.createDirectories(base.resolve(name));
    }
}
