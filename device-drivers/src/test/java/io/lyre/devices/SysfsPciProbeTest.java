package io.lyre.devices;

import static io.lyre.devices.SysfsFixtures.copy;
import static io.lyre.devices.SysfsFixtures.device;
import static io.lyre.devices.SysfsFixtures.fixture;
import static io.lyre.devices.SysfsFixtures.pciDir;
import static io.lyre.devices.SysfsFixtures.scan;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sysfs probe against trees copied from real hosts' layouts. */
class SysfsPciProbeTest {

    @Test
    void listsAlveoU250AsOneFpgaWithBothFunctions() {
        ProbeResult result = scan(fixture("alveo-u250"));

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        assertThat(result.status().detail()).isEqualTo("found 1 device in 7 PCI functions");
        assertThat(result.devices()).hasSize(1);
        Device card = result.devices().get(0);
        assertThat(card.id()).isEqualTo("0000:3b:00.0");
        assertThat(card.kind()).isEqualTo(DeviceKind.FPGA);
        assertThat(card.vendor()).isEqualTo("Xilinx");
        assertThat(card.model()).isEqualTo("Alveo U250");
        assertThat(card.health()).isEqualTo(Health.HEALTHY);
        assertThat(card.sources()).containsExactly("sysfs");
        assertThat(card.attributes()).containsAllEntriesOf(Map.of(
                "pci", "0000:3b:00.0",
                "pci.id", "10ee:5004",
                "pci.subsystem", "10ee:000e",
                "pci.functions", "0000:3b:00.0,0000:3b:00.1",
                "numa", "0",
                "driver", "xclmgmt,xocl"));
        assertThat(card.deviceNodes()).containsExactly("/dev/xclmgmt15104", "/dev/dri/renderD128");
    }

    @Test
    void namesTheXclmgmtNodeFromTheBusAddressWhenSysfsHasNoClassEntry(@TempDir Path tmp)
            throws Exception {
        Path sysfs = copy(tmp, "alveo-u250");
        deleteTree(pciDir(sysfs, "0000:3b:00.0").resolve("xrt_mgmt"));

        Device card = scan(sysfs).devices().get(0);

        // xclmgmt's instance is (domain << 16) | (bus << 8) | devfn: 0x3b00 = 15104.
        assertThat(card.deviceNodes()).containsExactly("/dev/xclmgmt15104", "/dev/dri/renderD128");
    }

    @Test
    void marksAlveoUnhealthyWhenTheUserFunctionHasNoXoclDriver(@TempDir Path tmp) throws Exception {
        Path sysfs = copy(tmp, "alveo-u250");
        Files.delete(pciDir(sysfs, "0000:3b:00.1").resolve("driver"));

        Device card = scan(sysfs).devices().get(0);

        assertThat(card.health()).isEqualTo(Health.UNHEALTHY);
        assertThat(card.healthReason()).isEqualTo("user function 0000:3b:00.1 is not bound to xocl");
        assertThat(card.attributes()).containsEntry("driver", "xclmgmt");
    }

    @Test
    void listsIntelPacN3000WithItsDflFmeAndPortNodes() {
        ProbeResult result = scan(fixture("intel-pac-n3000"));

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        // The card's four XL710 NIC functions and the PCIe switch are not devices to schedule.
        assertThat(result.devices()).hasSize(1);
        Device card = result.devices().get(0);
        assertThat(card.id()).isEqualTo("0000:b1:00.0");
        assertThat(card.kind()).isEqualTo(DeviceKind.FPGA);
        assertThat(card.vendor()).isEqualTo("Intel");
        assertThat(card.model()).isEqualTo("PAC N3000");
        assertThat(card.health()).isEqualTo(Health.HEALTHY);
        assertThat(card.attributes()).containsEntry("pci.id", "8086:0b30").containsEntry("numa", "1")
                .containsEntry("driver", "dfl-pci").containsEntry("fpga.regions", "region0");
        assertThat(card.deviceNodes()).containsExactly("/dev/dfl-fme.0", "/dev/dfl-port.0");
    }

    @Test
    void readsOpaeDriverNodesOfAnIntelPacArria10(@TempDir Path tmp) throws Exception {
        // The out-of-tree OPAE driver (intel-fpga-pci) names its nodes intel-fpga-fme.N / intel-fpga-port.N.
        Path card = tmp.resolve("devices/pci0000:5d/0000:5d:00.0/0000:5e:00.0");
        Files.createDirectories(card.resolve("fpga/intel-fpga-dev.0/intel-fpga-fme.0"));
        Files.createDirectories(card.resolve("fpga/intel-fpga-dev.0/intel-fpga-port.0"));
        SysfsFixtures.write(card.resolve("vendor"), "0x8086\n");
        SysfsFixtures.write(card.resolve("device"), "0x09c4\n");
        SysfsFixtures.write(card.resolve("class"), "0x120000\n");
        SysfsFixtures.write(card.resolve("numa_node"), "-1\n");
        Files.createSymbolicLink(card.resolve("driver"), Path.of("../../../../bus/pci/drivers/intel-fpga-pci"));
        Files.createDirectories(tmp.resolve("bus/pci/devices"));
        Files.createSymbolicLink(tmp.resolve("bus/pci/devices/0000:5e:00.0"),
                Path.of("../../../devices/pci0000:5d/0000:5d:00.0/0000:5e:00.0"));

        Device fpga = scan(tmp).devices().get(0);

        assertThat(fpga.model()).isEqualTo("PAC Arria 10 GX");
        assertThat(fpga.health()).isEqualTo(Health.HEALTHY);
        assertThat(fpga.attributes()).doesNotContainKey("numa");
        assertThat(fpga.deviceNodes()).containsExactly("/dev/intel-fpga-fme.0", "/dev/intel-fpga-port.0");
    }

    @Test
    void listsAmdMi210WithMemoryAndComputeUnitsFromKfd() {
        ProbeResult result = scan(fixture("amd-mi210"));

        assertThat(result.status().detail()).isEqualTo("found 1 device in 5 PCI functions");
        // The card's own PCIe switch functions (1002:14a0/14a1) are bridges, not GPUs.
        assertThat(result.devices()).hasSize(1);
        Device gpu = result.devices().get(0);
        assertThat(gpu.id()).isEqualTo("0000:c3:00.0");
        assertThat(gpu.kind()).isEqualTo(DeviceKind.GPU);
        assertThat(gpu.vendor()).isEqualTo("AMD");
        assertThat(gpu.model()).isEqualTo("Instinct MI210");
        assertThat(gpu.memoryBytes()).isEqualTo(68_702_699_520L);
        assertThat(gpu.computeUnits()).isEqualTo(104);
        assertThat(gpu.health()).isEqualTo(Health.HEALTHY);
        assertThat(gpu.attributes()).containsAllEntriesOf(Map.of(
                "pci.id", "1002:740f", "numa", "1", "driver", "amdgpu",
                "amd.gfx", "gfx90a", "amd.gfx_target_version", "90010", "kfd.node", "1", "kfd.gpu_id", "53570"));
        assertThat(gpu.deviceNodes()).containsExactly("/dev/kfd", "/dev/dri/renderD128");
    }

    @Test
    void listsBothA100sOfADriverlessBoxAsUnhealthy() {
        ProbeResult result = scan(fixture("nvidia-2xa100-nodriver"));

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        // The NVSwitch (10de:1af1, a bridge-class function) is not a GPU.
        assertThat(result.devices()).extracting(Device::id).containsExactly("0000:07:00.0", "0000:87:00.0");
        assertThat(result.devices()).allSatisfy(gpu -> {
            assertThat(gpu.kind()).isEqualTo(DeviceKind.GPU);
            assertThat(gpu.vendor()).isEqualTo("NVIDIA");
            assertThat(gpu.model()).isEqualTo("A100-SXM4-80GB");
            assertThat(gpu.health()).isEqualTo(Health.UNHEALTHY);
            assertThat(gpu.healthReason()).isEqualTo("no NVIDIA driver bound");
            assertThat(gpu.attributes()).doesNotContainKey("driver").containsEntry("pci.id", "10de:20b2");
        });
        assertThat(device(result, "0000:87:00.0").attributes()).containsEntry("numa", "1");
    }

    @Test
    void leavesABoundNvidiaGpusHealthToTheCudaProbe(@TempDir Path tmp) throws Exception {
        Path sysfs = copy(tmp, "nvidia-2xa100-nodriver");
        Files.createSymbolicLink(pciDir(sysfs, "0000:07:00.0").resolve("driver"),
                Path.of("../../../../bus/pci/drivers/nvidia"));
        Files.createSymbolicLink(pciDir(sysfs, "0000:87:00.0").resolve("driver"),
                Path.of("../../../../bus/pci/drivers/vfio-pci"));

        ProbeResult result = scan(sysfs);

        assertThat(device(result, "0000:07:00.0").health()).isEqualTo(Health.UNKNOWN);
        assertThat(device(result, "0000:07:00.0").attributes()).containsEntry("driver", "nvidia");
        assertThat(device(result, "0000:87:00.0").healthReason()).isEqualTo("no NVIDIA driver bound (bound to vfio-pci)");
    }

    @Test
    void writesDeviceNodesUnderTheContextsDevRoot() {
        ProbeResult result = new SysfsPciProbe().probe(new ProbeContext(fixture("amd-mi210"), Path.of("/host/dev")));

        assertThat(result.devices().get(0).deviceNodes()).containsExactly("/host/dev/kfd", "/host/dev/dri/renderD128");
    }

    @Test
    void listsEveryCardOfAMixedHost(@TempDir Path tmp) {
        Path sysfs = copy(tmp, "alveo-u250", "amd-mi210", "nvidia-2xa100-nodriver");

        ProbeResult result = scan(sysfs);

        assertThat(result.devices()).extracting(Device::id)
                .containsExactlyInAnyOrder("0000:3b:00.0", "0000:c3:00.0", "0000:07:00.0", "0000:87:00.0");
        assertThat(result.status().detail()).startsWith("found 4 devices in ").doesNotContain("problem");
    }

    @Test
    void saysAbsentWhenThereIsNoPciBus(@TempDir Path tmp) {
        ProbeResult result = scan(tmp);

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.ABSENT);
        assertThat(result.status().detail()).isEqualTo("no PCI bus at " + tmp.resolve("bus/pci/devices"));
        assertThat(result.devices()).isEmpty();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
