package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import org.junit.jupiter.api.Test;

/** Proves the Docker engine the tests run against is real: its version comes over its API socket. */
class DockerEngineSmokeTest {

    @Test
    void readsTheLocalEngineVersionOverItsApi() throws Exception {
        try (DockerClient docker = DockerEngine.connectOrSkip()) {
            Version version = docker.versionCmd().exec();

            assertThat(version.getVersion()).as("engine version").isNotBlank();
            assertThat(version.getApiVersion()).as("API version").matches("1\\.\\d+");
            assertThat(version.getOperatingSystem()).as("engine OS").isNotBlank();
        }
    }
}
