package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import io.lyre.tunnel.TunnelProtocol;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.JoinClient;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.docker.TunnelDockerHttpClient;
import io.lyre.tunnel.proto.Hello;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's Docker relay in-process (no child JVM): docker-java calls through a real tunnel. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerRelayTest {

    @TempDir
    Path tmp;

    @Test
    void anImportWithAStreamedBodyAndAVersionCallGoThrough() throws Exception {
        DockerEngine.connectOrSkip();
        Vertx vertx = Vertx.vertx();
        try (TunnelServer server = new TunnelServer(TunnelServerConfig.defaults(tmp.resolve("proxy")).withBind("127.0.0.1", 0)).start();
             LocalDockerEngine engine = LocalDockerEngine.fromEnvironment()) {
            AgentCredentials creds = JoinClient.join("127.0.0.1:" + server.port(),
                    server.createJoinToken(Duration.ofMinutes(1)).toString(), "docker", Map.of(), 0, tmp.resolve("agent"));
            ExchangeRouter router = new ExchangeRouter(vertx, engine, new RelayPolicy(engine::subnets));
            try (TunnelClient client = new TunnelClient(TunnelClient.Config.of(creds), () -> Hello.newBuilder()
                    .setProtocolVersion(TunnelProtocol.PROTOCOL_VERSION).setName("docker").setDocker(engine.facts()).build(),
                    router).start()) {
                assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
                TunnelDockerHttpClient dockerHttp = new TunnelDockerHttpClient(() -> server.connection(creds.identity().agentId()),
                        Duration.ofSeconds(30));
                DockerClient docker = DockerClientImpl.getInstance(
                        DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("tcp://lyre-agent:2375").build(),
                        dockerHttp);
                assertThat(docker.versionCmd().exec().getVersion()).isNotBlank();
                Path tini = TinyImage.staticBinary();
                if (tini != null) {
                    TinyImage.importThrough(dockerHttp, tini);
                    assertThat(docker.inspectImageCmd("lyre-test/tini:latest").exec().getId()).startsWith("sha256:");
                }
            } finally {
                router.close();
            }
        } finally {
            vertx.close();
        }
    }
}
