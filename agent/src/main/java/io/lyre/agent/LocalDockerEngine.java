package io.lyre.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.lyre.tunnel.proto.DockerFacts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The engine on this host: {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}. Its facts go into
 * the hello; its raw HTTP client runs the proxy's Docker exchanges; its networks feed the relay policy.
 */
final class LocalDockerEngine implements AutoCloseable {

    private final String host;
    private final DockerHttpClient http;
    private final DockerClient client;

    private LocalDockerEngine(String host) {
        this.host = host;
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        // No response timeout: logs --follow and pulls stream for as long as they last.
        this.http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(5)).build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    static LocalDockerEngine fromEnvironment() {
        String env = System.getenv("DOCKER_HOST");
        return new LocalDockerEngine(env != null && !env.isBlank() ? env : "unix:///var/run/docker.sock");
    }

    DockerHttpClient http() {
        return http;
    }

    /** Engine facts for the hello; an engine that does not answer is reported absent, never thrown. */
    DockerFacts facts() {
        try {
            Version v = client.versionCmd().exec();
            Info info = client.infoCmd().exec();
            TreeSet<String> runtimes = new TreeSet<>();
            Map<String, ?> r = info.getRuntimes();
            if (r != null) {
                runtimes.addAll(r.keySet());
            }
            return DockerFacts.newBuilder().setAvailable(true).setVersion(nz(v.getVersion())).setApiVersion(nz(v.getApiVersion()))
                    .setOs(nz(v.getOperatingSystem()) + "/" + nz(v.getArch())).addAllRuntimes(runtimes).build();
        } catch (RuntimeException e) {
            return DockerFacts.newBuilder().setAvailable(false)
                    .setError("no Docker engine at " + host + ": " + e.getMessage()).build();
        }
    }

    /** The IPAM subnets of every Docker network on this engine. */
    List<Cidr> subnets() {
        List<Cidr> out = new ArrayList<>();
        for (Network n : client.listNetworksCmd().exec()) {
            if (n.getIpam() == null || n.getIpam().getConfig() == null) {
                continue;
            }
            for (Network.Ipam.Config c : n.getIpam().getConfig()) {
                if (c.getSubnet() != null && !c.getSubnet().isBlank()) {
                    try {
                        out.add(Cidr.parse(c.getSubnet()));
                    } catch (IllegalArgumentException ignored) {
                        // an odd entry must not hide the others
                    }
                }
            }
        }
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
