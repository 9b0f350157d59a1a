package io.lyre.proxy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The Docker engine next to the proxy, through its socket (LYRE_LOCAL_DOCKER, unix:///var/run/docker.sock by
 * default), as HaRP's bundled engine is. Containers on it are reachable directly from the proxy.
 */
public final class LocalDockerEngine implements Engine, AutoCloseable {
    private final int slot;
    private final URI host;
    private final DockerHttpClient http;
    private final DockerClient client;

    public LocalDockerEngine(String dockerHost, int slot, Duration connectTimeout, Duration responseTimeout) {
        this.slot = slot;
        this.host = URI.create(dockerHost);
        this.http = new ZerodepDockerHttpClient.Builder().dockerHost(host).maxConnections(64)
                .connectionTimeout(connectTimeout).responseTimeout(responseTimeout).build();
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public String id() {
        return "local";
    }

    @Override
    public String name() {
        return "local(" + host + ")";
    }

    @Override
    public boolean ready() {
        return true; // a dead local socket shows as 503 on use, as HaRP's unbound FRP port does
    }

    @Override
    public DockerHttpClient httpClient() {
        return http;
    }

    @Override
    public DockerClient dockerClient() {
        return client;
    }

    @Override
    public boolean reachableDirectly() {
        return true;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    @Override
    public String toString() {
        return name() + "@" + slot;
    }
}
