package io.lyre.agent;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;

/**
 * The local Docker engine for Docker-backed tests. In CI (env CI=true) a missing engine fails the test;
 * on a laptop without Docker the test is skipped with a message.
 */
final class DockerEngine {

    private DockerEngine() {
    }

    static DockerClient connectOrSkip() {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        var http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        DockerClient client = DockerClientImpl.getInstance(config, http);
        try {
            client.pingCmd().exec();
            return client;
        } catch (RuntimeException e) {
            String why = "no Docker engine answers at " + config.getDockerHost() + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI needs a real Docker engine; " + why);
            }
            assumeTrue(false, "skipped, " + why);
            throw new AssertionError("unreachable");
        }
    }
}
