package io.lyre.devices;

import static io.lyre.devices.TestDevice.device;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceMergerTest {

    private static final String UUID = "GPU-3f9a1207-c45e-11ee-8a01-0242ac120002";

    @Test
    void mergesCudaSysfsAndOpenClViewsOfOneNvidiaGpu() {
        // The three views as the probes reported them on an H100 host (driver 580.159.04, CUDA 13.0).
        String uuid = "GPU-1c53bc3a-e6d7-d5c4-7c90-3a86780e6df3";
        Device cuda = device(uuid).from("cuda").vendor("NVIDIA").model("NVIDIA H100 80GB HBM3").memory(85_017_493_504L)
                .computeUnits(132).pci("0000:00:06.0").attr("uuid", uuid).attr("cuda.cc", "9.0").attr("driver", "nvidia")
                .attr("driver.version", "13.0").health(Health.HEALTHY, "").build();
        Device openCl = device("0000:00:06.0").from("opencl").vendor("NVIDIA").model("NVIDIA H100 80GB HBM3")
                .memory(85_017_493_504L).computeUnits(132).pci("0000:00:06.0").attr("opencl.platform", "NVIDIA CUDA")
                .attr("opencl.version", "OpenCL 3.0 CUDA").attr("opencl.device", "1:0").attr("driver.version", "580.159.04")
                .health(Health.HEALTHY, "").build();
        Device sysfs = device("0000:00:06.0").from("sysfs").vendor("NVIDIA").model("H100 SXM5 80GB").pci("0000:00:06.0")
                .attr("pci.id", "10de:2330").attr("pci.subsystem", "10de:16c1").attr("driver", "nvidia").build();

        List<Device> merged = DeviceMerger.merge(List.of(sysfs, openCl, cuda));

        assertThat(merged).hasSize(1);
        Device gpu = merged.get(0);
        assertThat(gpu.id()).isEqualTo(uuid);
        assertThat(gpu.model()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu.memoryBytes()).isEqualTo(85_017_493_504L);
        assertThat(gpu.computeUnits()).isEqualTo(132);
        assertThat(gpu.health()).isEqualTo(Health.HEALTHY);
        assertThat(gpu.sources()).containsExactlyInAnyOrder("cuda", "sysfs", "opencl");
        assertThat(gpu.attributes()).isEqualTo(Map.of(
                "uuid", uuid, "cuda.cc", "9.0", "pci", "0000:00:06.0", "driver", "nvidia", "driver.version", "13.0",
                "pci.id", "10de:2330", "pci.subsystem", "10de:16c1",
                "opencl.platform", "NVIDIA CUDA", "opencl.version", "OpenCL 3.0 CUDA", "opencl.device", "1:0"));
    }

    @Test
    void matchesPciAddressesSpelledDifferently() {
        Device cuda = device(UUID).from("cuda").pci("00000000:3B:00.0").health(Health.HEALTHY, "").build();
        Device sysfs = device("0000:3b:00.0").from("sysfs").pci("0000:3b:00.0").build();

        List<Device> merged = DeviceMerger.merge(List.of(cuda, sysfs));

        assertThat(merged).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo(UUID);
            assertThat(d.pciAddress()).isEqualTo("0000:3b:00.0");
        });
    }

    @Test
    void takesSysfsModelAndFpgaKindOverOpenClsAccelerator() {
        Device sysfs = device("0000:3b:00.0").from("sysfs").kind(DeviceKind.FPGA).vendor("Xilinx").model("Alveo U250")
                .pci("0000:3b:00.0").attr("dev.nodes", "/dev/xclmgmt15104,/dev/dri/renderD128")
                .health(Health.HEALTHY, "").build();
        Device openCl = device("0000:3b:00.0").from("opencl").kind(DeviceKind.ACCELERATOR).vendor("Xilinx")
                .model("xilinx_u250_gen3x16_xdma_shell_4_1").memory(68_719_476_736L).computeUnits(1).pci("0000:3b:00.0")
                .health(Health.HEALTHY, "").build();

        Device fpga = DeviceMerger.merge(List.of(openCl, sysfs)).get(0);

        assertThat(fpga.kind()).isEqualTo(DeviceKind.FPGA);
        assertThat(fpga.model()).isEqualTo("Alveo U250");
        // sysfs does not know an FPGA's memory; OpenCL's value fills the gap.
        assertThat(fpga.memoryBytes()).isEqualTo(68_719_476_736L);
        assertThat(fpga.deviceNodes()).containsExactly("/dev/xclmgmt15104", "/dev/dri/renderD128");
    }

    @Test
    void keepsSysfsFactsForAnAmdGpuAndAddsOpenClsAttributes() {
        Device sysfs = device("0000:c3:00.0").from("sysfs").vendor("AMD").model("Instinct MI210").memory(68_702_699_520L)
                .computeUnits(104).pci("0000:c3:00.0").attr("amd.gfx", "gfx90a").health(Health.HEALTHY, "").build();
        Device openCl = device("0000:c3:00.0").from("opencl").vendor("AMD").model("gfx90a:sramecc+:xnack-")
                .memory(68_702_699_520L).computeUnits(104).pci("0000:c3:00.0").attr("opencl.version", "OpenCL 2.0")
                .health(Health.HEALTHY, "").build();

        Device gpu = DeviceMerger.merge(List.of(openCl, sysfs)).get(0);

        assertThat(gpu.model()).isEqualTo("Instinct MI210");
        assertThat(gpu.attributes()).containsEntry("amd.gfx", "gfx90a").containsEntry("opencl.version", "OpenCL 2.0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("healthCases")
    void decidesHealth(String rule, List<Device> views, Health health, String reason) {
        Device merged = DeviceMerger.merge(views).get(0);

        assertThat(merged.health()).isEqualTo(health);
        assertThat(merged.healthReason()).isEqualTo(reason);
    }

    static Stream<Arguments> healthCases() {
        Device sysfsNoDriver = device("0000:07:00.0").from("sysfs").pci("0000:07:00.0")
                .health(Health.UNHEALTHY, "no NVIDIA driver bound").build();
        Device sysfsUnknown = device("0000:07:00.0").from("sysfs").pci("0000:07:00.0").build();
        Device sysfsHealthy = device("0000:07:00.0").from("sysfs").pci("0000:07:00.0").health(Health.HEALTHY, "").build();
        Device cudaHealthy = device(UUID).from("cuda").pci("0000:07:00.0").health(Health.HEALTHY, "").build();
        Device openClHealthy = device("0000:07:00.0").from("opencl").pci("0000:07:00.0").health(Health.HEALTHY, "").build();
        Device otherHealthy = device("0000:07:00.0").from("other").pci("0000:07:00.0").health(Health.HEALTHY, "").build();
        Device otherUnhealthy = device("0000:07:00.0").from("other").pci("0000:07:00.0")
                .health(Health.UNHEALTHY, "overheating").build();
        return Stream.of(
                Arguments.of("CUDA's HEALTHY beats sysfs's no-driver", List.of(sysfsNoDriver, cudaHealthy), Health.HEALTHY, ""),
                Arguments.of("OpenCL's HEALTHY beats sysfs's no-driver", List.of(sysfsNoDriver, openClHealthy), Health.HEALTHY, ""),
                Arguments.of("CUDA's HEALTHY decides an UNKNOWN", List.of(sysfsUnknown, cudaHealthy), Health.HEALTHY, ""),
                Arguments.of("UNHEALTHY beats a HEALTHY not backed by a driver", List.of(sysfsHealthy, otherUnhealthy),
                        Health.UNHEALTHY, "overheating"),
                Arguments.of("HEALTHY beats UNKNOWN", List.of(sysfsUnknown, otherHealthy),
                        Health.HEALTHY, ""),
                Arguments.of("sysfs's no-driver stands alone", List.of(sysfsNoDriver), Health.UNHEALTHY, "no NVIDIA driver bound"));
    }

    @Test
    void keepsDevicesWithoutPciAddressOncePerId() {
        Device a = device("opencl:0:0").from("opencl").kind(DeviceKind.ACCELERATOR).model("first").build();
        Device again = device("opencl:0:0").from("other").kind(DeviceKind.ACCELERATOR).memory(1024).build();
        Device b = device("opencl:1:0").from("opencl").kind(DeviceKind.ACCELERATOR).model("second").build();

        List<Device> merged = DeviceMerger.merge(List.of(a, b, again));

        assertThat(merged).extracting(Device::id).containsExactly("opencl:0:0", "opencl:1:0");
        assertThat(merged.get(0).model()).isEqualTo("first");
        assertThat(merged.get(0).memoryBytes()).isEqualTo(1024);
    }

    @Test
    void keepsDifferentPciAddressesApartAndSortsByKindThenAddress() {
        List<Device> merged = DeviceMerger.merge(List.of(
                device("0000:87:00.0").from("sysfs").pci("0000:87:00.0").build(),
                device("0000:3b:00.0").from("sysfs").kind(DeviceKind.FPGA).pci("0000:3b:00.0").build(),
                device("0000:07:00.0").from("sysfs").pci("0000:07:00.0").build(),
                device("cpu0").from("cpu").kind(DeviceKind.CPU).build()));

        assertThat(merged).extracting(Device::id).containsExactly("cpu0", "0000:07:00.0", "0000:87:00.0", "0000:3b:00.0");
    }

    @Test
    void foldsTheOpenClCpuIntoTheOnlySocket() {
        Device cpu0 = device("cpu0").from("cpu").kind(DeviceKind.CPU).vendor("AMD").model("AMD EPYC").memory(25_000_000_000L)
                .computeUnits(2).attr("numa", "0").health(Health.HEALTHY, "").build();
        Device pocl = device("opencl:0:0").from("opencl").kind(DeviceKind.CPU).vendor("AMD")
                .model("pthread-skylake-avx512-AMD EPYC").memory(5_347_000_000L).computeUnits(2)
                .attr("opencl.platform", "Portable Computing Language").attr("driver.version", "3.1+debian")
                .health(Health.HEALTHY, "").build();

        List<Device> merged = DeviceMerger.merge(List.of(pocl, cpu0));

        assertThat(merged).singleElement().satisfies(cpu -> {
            assertThat(cpu.id()).isEqualTo("cpu0");
            assertThat(cpu.model()).isEqualTo("AMD EPYC");
            assertThat(cpu.memoryBytes()).isEqualTo(25_000_000_000L);
            assertThat(cpu.sources()).containsExactlyInAnyOrder("cpu", "opencl");
            assertThat(cpu.attributes()).containsEntry("opencl.platform", "Portable Computing Language").containsEntry("numa", "0")
                    .containsEntry("opencl.driver.version", "3.1+debian").doesNotContainKey("driver.version");
        });
    }

    @Test
    void keepsTheOpenClCpuApartOnATwoSocketHost() {
        Device cpu0 = device("cpu0").from("cpu").kind(DeviceKind.CPU).build();
        Device cpu1 = device("cpu1").from("cpu").kind(DeviceKind.CPU).build();
        Device pocl = device("opencl:0:0").from("opencl").kind(DeviceKind.CPU).build();

        assertThat(DeviceMerger.merge(List.of(cpu0, cpu1, pocl))).extracting(Device::id)
                .containsExactly("cpu0", "cpu1", "opencl:0:0");
    }
}
