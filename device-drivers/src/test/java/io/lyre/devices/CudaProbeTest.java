package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaProbeTest {

    private static final ProbeContext CONTEXT = new ProbeContext(Path.of("/sys"), Path.of("/dev"));

    private static final byte[] UUID = {
            (byte) 0x3f, (byte) 0x9a, 0x12, 0x07, (byte) 0xc4, 0x5e, 0x11, (byte) 0xee,
            (byte) 0x8a, 0x01, 0x02, 0x42, (byte) 0xac, 0x12, 0x00, 0x02};

    @Test
    void reportsWhatThisMachineHasCleanly() {
        ProbeResult result = new CudaProbe().probe(CONTEXT);

        if (CudaDriverLibrary.installed()) {
            assertThat(result.status().state()).isIn(ProbeStatus.State.OK, ProbeStatus.State.ABSENT);
        } else {
            assertThat(result.status().state()).isEqualTo(ProbeStatus.State.ABSENT);
            assertThat(result.status().detail()).isEqualTo("no CUDA driver (libcuda.so.1 not found)");
            assertThat(result.devices()).isEmpty();
        }
    }

    @Test
    void reportsAbsentWhenJCudaCannotLoadTheDriver() {
        org.junit.jupiter.api.Assumptions.assumeFalse(CudaDriverLibrary.installed(), "this host has an NVIDIA driver");

        // Skips the file check, so JCuda really tries and fails with its UnsatisfiedLinkError; twice, since the
        // second use of JCudaDriver fails differently (NoClassDefFoundError).
        CudaProbe probe = new CudaProbe(() -> true, JCudaDriverApi::new);
        for (int i = 0; i < 2; i++) {
            ProbeResult result = probe.probe(CONTEXT);
            assertThat(result.status().state()).isEqualTo(ProbeStatus.State.ABSENT);
            assertThat(result.status().detail()).startsWith("no CUDA driver (").doesNotContain("\n");
            assertThat(result.devices()).isEmpty();
        }
    }

    @Test
    void listsEachGpuByUuidWithItsFacts() {
        var facts = new CudaDriverApi.DeviceFacts("NVIDIA A100-SXM4-80GB", UUID, 85_899_345_920L, 8, 0, 108,
                "00000000:07:00.0");
        ProbeResult result = new CudaProbe(() -> true, () -> fake(12040, List.of(facts), null)).probe(CONTEXT);

        assertThat(result.status()).isEqualTo(ProbeStatus.ok("cuda", "found 1 device, CUDA driver 12.4"));
        Device gpu = result.devices().get(0);
        assertThat(gpu.id()).isEqualTo("GPU-3f9a1207-c45e-11ee-8a01-0242ac120002");
        assertThat(gpu.kind()).isEqualTo(DeviceKind.GPU);
        assertThat(gpu.vendor()).isEqualTo("NVIDIA");
        assertThat(gpu.model()).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(gpu.memoryBytes()).isEqualTo(85_899_345_920L);
        assertThat(gpu.computeUnits()).isEqualTo(108);
        assertThat(gpu.health()).isEqualTo(Health.HEALTHY);
        assertThat(gpu.attributes()).isEqualTo(Map.of(
                "uuid", "GPU-3f9a1207-c45e-11ee-8a01-0242ac120002",
                "cuda.cc", "8.0",
                "pci", "0000:07:00.0",
                "driver", "nvidia",
                "driver.version", "12.4"));
    }

    @Test
    void failsWithTheCudaErrorName() {
        var error = new CudaDriverApi.CallFailed("cuInit", "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", false);
        ProbeResult result = new CudaProbe(() -> true, () -> fake(0, List.of(), error)).probe(CONTEXT);

        assertThat(result.status()).isEqualTo(ProbeStatus.failed("cuda", "cuInit: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"));
    }

    @Test
    void keepsTheGpusReadBeforeOneFails() {
        var good = new CudaDriverApi.DeviceFacts("Tesla T4", UUID, 15_843_721_216L, 7, 5, 40, "0000:3b:00.0");
        CudaDriverApi api = new CudaDriverApi() {
            public int initAndGetDriverVersion() {
                return 12020;
            }

            public int deviceCount() {
                return 2;
            }

            public DeviceFacts device(int ordinal) throws CallFailed {
                if (ordinal == 1) {
                    throw new CallFailed("cuDeviceGetUuid(1)", "CUDA_ERROR_UNKNOWN", false);
                }
                return good;
            }
        };
        ProbeResult result = new CudaProbe(() -> true, () -> api).probe(CONTEXT);

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.FAILED);
        assertThat(result.status().detail()).isEqualTo("cuDeviceGetUuid(1): CUDA_ERROR_UNKNOWN (1 device read before it)");
        assertThat(result.devices()).extracting(Device::model).containsExactly("Tesla T4");
    }

    @Test
    void saysAbsentWhenTheDriverSeesNoGpu() {
        var noDevice = new CudaDriverApi.CallFailed("cuInit", "CUDA_ERROR_NO_DEVICE", true);
        ProbeResult result = new CudaProbe(() -> true, () -> fake(0, List.of(), noDevice)).probe(CONTEXT);

        assertThat(result.status()).isEqualTo(ProbeStatus.absent("cuda", "CUDA driver found no device"));
    }

    @Test
    void formatsTheUuidAsNvidiaSmiDoes() {
        assertThat(CudaProbe.formatUuid(UUID)).isEqualTo("GPU-3f9a1207-c45e-11ee-8a01-0242ac120002");
    }

    private static CudaDriverApi fake(int version, List<CudaDriverApi.DeviceFacts> devices, CudaDriverApi.CallFailed initError) {
        return new CudaDriverApi() {
            public int initAndGetDriverVersion() throws CallFailed {
                if (initError != null) {
                    throw initError;
                }
                return version;
            }

            public int deviceCount() {
                return devices.size();
            }

            public DeviceFacts device(int ordinal) {
                return devices.get(ordinal);
            }
        };
    }
}
