package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real OpenCL probe against whatever ICD this machine has; the build machine has PoCL's CPU device
 * (Debian pocl-opencl-icd). Without any ICD it is skipped, except in CI, which must install one.
 */
class OpenClProbeAgainstPoclTest {

    @Test
    void findsACpuDeviceWithMemoryAndComputeUnits() {
        ProbeResult result = new OpenClProbe().probe(new ProbeContext(Path.of("/sys"), Path.of("/dev")));

        if (result.status().state() == ProbeStatus.State.ABSENT) {
            String why = "no OpenCL ICD here: " + result.status().detail()
                    + " (install ocl-icd-libopencl1 and pocl-opencl-icd)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        assertThat(result.status().state()).as(result.status().detail()).isEqualTo(ProbeStatus.State.OK);
        assertThat(result.status().detail()).startsWith("found ");
        assertThat(result.devices()).anySatisfy(cpu -> {
            assertThat(cpu.kind()).isEqualTo(DeviceKind.CPU);
            assertThat(cpu.memoryBytes()).isPositive();
            assertThat(cpu.computeUnits()).isPositive();
            assertThat(cpu.model()).isNotBlank();
            assertThat(cpu.id()).matches("opencl:\\d+:\\d+");
            assertThat(cpu.attributes()).containsKeys("opencl.platform", "opencl.version", "driver.version")
                    .doesNotContainKey("pci");
            assertThat(cpu.health()).isEqualTo(Health.HEALTHY);
            assertThat(cpu.sources()).containsExactly("opencl");
        });
    }
}
