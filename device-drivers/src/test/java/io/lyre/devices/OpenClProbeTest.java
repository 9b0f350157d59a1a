package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import org.jocl.CL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenClProbeTest {

    @Test
    void saysAbsentWithTheShortCauseWhenTheIcdLoaderIsMissing() {
        var error = new UnsatisfiedLinkError("Could not initialize native OpenCL library. Implementation library could not be loaded");

        ProbeResult result = OpenClProbe.absentFor(error);

        assertThat(result.status()).isEqualTo(ProbeStatus.absent("opencl",
                "no OpenCL ICD loader (Could not initialize native OpenCL library. Implementation library could not be loaded)"));
        assertThat(result.devices()).isEmpty();
    }

    @ParameterizedTest(name = "type {0} -> {1}")
    @CsvSource({"GPU, GPU", "CPU, CPU", "ACCELERATOR, ACCELERATOR", "CUSTOM, ACCELERATOR", "GPU_DEFAULT, GPU"})
    void mapsOpenClDeviceTypesToKinds(String type, DeviceKind kind) {
        long bits = switch (type) {
            case "GPU" -> CL.CL_DEVICE_TYPE_GPU;
            case "CPU" -> CL.CL_DEVICE_TYPE_CPU;
            case "ACCELERATOR" -> CL.CL_DEVICE_TYPE_ACCELERATOR;
            case "CUSTOM" -> CL.CL_DEVICE_TYPE_CUSTOM;
            default -> CL.CL_DEVICE_TYPE_GPU | CL.CL_DEVICE_TYPE_DEFAULT;
        };
        assertThat(OpenClProbe.kind(bits)).isEqualTo(kind);
    }
}
