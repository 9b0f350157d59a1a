package io.lyre.scheduler.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.lyre.scheduler.Placement;
import io.lyre.scheduler.SimulatedInventories;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static io.lyre.scheduler.SimulatedInventories.GIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Creates (never starts: there is no GPU or FPGA here) a container on the local engine from a binding spec of
 * simulated devices and reads the spec back with inspect. In CI the engine and image must be there; elsewhere the
 * test is skipped with the reason.
 */
class DockerCreateTest {

    private static final String SOCKET = "/var/run/docker.sock";
    private static final String IMAGE = "lyre/jre-base:latest";

    @Test
    void createdContainerCarriesDevicesLimitsAndLabels() throws Exception {
        DockerClient docker = engineOrSkip();
        var host1 = SimulatedInventories.simulatedHost1TwoA100().devices();
        var host2 = SimulatedInventories.simulatedHost2Mi210AndU250().devices();
        // 1.5 cores: the engine refuses NanoCPUs above its own CPU count (CI machines have 2)
        Placement p = ContainerDeviceBindingTest.placement(1500, host1.get(0), host1.get(1), host2.get(0), host2.get(1));
        ContainerDeviceBinding binding = ContainerDeviceBinding.of(p);
        String name = "lyre-scheduler-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String id = null;
        try {
            CreateContainerResponse created = docker.createContainerCmd(IMAGE).withName(name)
                    .withHostConfig(binding.applyTo(HostConfig.newHostConfig()))
                    .withLabels(binding.labels())
                    .withEnv(binding.mergeEnvironment(java.util.List.of("NVIDIA_VISIBLE_DEVICES=all")))
                    .withCmd("true").exec();
            id = created.getId();
            InspectContainerResponse in = docker.inspectContainerCmd(id).exec();
            HostConfig hc = in.getHostConfig();
            assertThat(hc.getDeviceRequests()).singleElement().satisfies(r -> {
                assertThat(r.getDriver()).isEqualTo("nvidia");
                assertThat(r.getDeviceIds()).containsExactly(SimulatedInventories.A100_40, SimulatedInventories.A100_80);
                assertThat(r.getCapabilities()).isEqualTo(java.util.List.of(java.util.List.of("gpu")));
            });
            assertThat(Stream.of(hc.getDevices()).map(d -> d.getPathOnHost() + ":" + d.getcGroupPermissions()))
                    .containsExactlyInAnyOrder("/dev/kfd:rwm", "/dev/dri/renderD128:rwm", "/dev/xclmgmt55296:rwm", "/dev/dri/renderD129:rwm");
            assertThat(hc.getMemory()).isEqualTo(8 * GIB);
            assertThat(hc.getNanoCPUs()).isEqualTo(1_500_000_000L);
            assertThat(in.getConfig().getLabels()).containsAllEntriesOf(binding.labels());
            assertThat(in.getConfig().getEnv()).contains("NVIDIA_VISIBLE_DEVICES=" + SimulatedInventories.A100_40 + "," + SimulatedInventories.A100_80)
                    .doesNotContain("NVIDIA_VISIBLE_DEVICES=all");
        } finally {
            if (id != null) {
                docker.removeContainerCmd(id).withForce(true).exec();
            }
            docker.close();
        }
    }

    private static DockerClient engineOrSkip() {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!Files.exists(Path.of(SOCKET))) {
            return missing(ci, "no Docker engine at " + SOCKET);
        }
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("unix://" + SOCKET).build();
        DockerClient docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(30)).build());
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            return missing(ci, "Docker engine at " + SOCKET + " does not answer: " + e.getMessage());
        }
        try {
            docker.inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            return missing(ci, "image " + IMAGE + " is not on the engine (deploy/ builds it)");
        }
        return docker;
    }

    private static DockerClient missing(boolean ci, String why) {
        if (ci) {
            fail("CI=true but " + why);
        }
        Assumptions.abort("skipped: " + why);
        return null;
    }
}
