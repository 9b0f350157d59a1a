package io.lyre.devices;

import static io.lyre.devices.SysfsFixtures.copy;
import static io.lyre.devices.SysfsFixtures.device;
import static io.lyre.devices.SysfsFixtures.makeUnreadable;
import static io.lyre.devices.SysfsFixtures.pciDir;
import static io.lyre.devices.SysfsFixtures.scan;
import static io.lyre.devices.SysfsFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken trees: one bad entry or file must not hide the other devices, and the status detail must name it.
 * The scan stays OK (it ran); only an unlistable device directory makes it FAILED.
 */
class SysfsPciProbeBrokenTreesTest {

    @TempDir
    Path sysfs;

    @Test
    void namesAnUnreadableVendorFileAndStillListsTheOtherDevices() throws IOException {
        copy(sysfs, "alveo-u250", "nvidia-2xa100-nodriver");
        makeUnreadable(pciDir(sysfs, "0000:07:00.0").resolve("vendor"));

        ProbeResult result = scan(sysfs);

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        assertThat(result.status().detail())
                .startsWith("found 2 devices in ")
                .endsWith("; 1 problem: 0000:07:00.0/vendor: unreadable (Is a directory)");
        assertThat(result.devices()).extracting(Device::id).containsExactly("0000:3b:00.0", "0000:87:00.0");
    }

    @Test
    void namesAGarbageVendorIdAndStillListsTheOtherDevices() throws IOException {
        copy(sysfs, "alveo-u250", "nvidia-2xa100-nodriver");
        write(pciDir(sysfs, "0000:07:00.0").resolve("vendor"), "zzz\n");

        ProbeResult result = scan(sysfs);

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        assertThat(result.status().detail()).contains("1 problem: 0000:07:00.0/vendor: not a hex id 'zzz'");
        assertThat(result.devices()).extracting(Device::id).containsExactly("0000:3b:00.0", "0000:87:00.0");
    }

    @Test
    void keepsADeviceWhoseNumaNodeIsGarbageWithoutThatFact() throws IOException {
        copy(sysfs, "nvidia-2xa100-nodriver");
        write(pciDir(sysfs, "0000:87:00.0").resolve("numa_node"), "banana\n");

        ProbeResult result = scan(sysfs);

        assertThat(result.devices()).hasSize(2);
        assertThat(device(result, "0000:87:00.0").attributes()).doesNotContainKey("numa");
        assertThat(device(result, "0000:07:00.0").attributes()).containsEntry("numa", "0");
        assertThat(result.status().detail()).contains("0000:87:00.0/numa_node: not a number 'banana'");
    }

    @Test
    void showsControlCharactersInGarbageAsQuestionMarks() throws IOException {
        copy(sysfs, "nvidia-2xa100-nodriver");
        write(pciDir(sysfs, "0000:87:00.0").resolve("device"), "0x\u0001\u0002\n");

        ProbeResult result = scan(sysfs);

        assertThat(result.status().detail()).contains("0000:87:00.0/device: not a hex id '0x??'");
        assertThat(result.devices()).extracting(Device::id).containsExactly("0000:07:00.0");
    }

    @Test
    void namesADanglingDeviceLinkAndStillListsTheOthers() throws IOException {
        copy(sysfs, "alveo-u250", "nvidia-2xa100-nodriver");
        deleteTree(pciDir(sysfs, "0000:87:00.0"));

        ProbeResult result = scan(sysfs);

        assertThat(result.status().detail()).contains("1 problem: 0000:87:00.0: dangling link");
        assertThat(result.devices()).extracting(Device::id).containsExactly("0000:07:00.0", "0000:3b:00.0");
    }

    @Test
    void namesAnEntryThatIsNoPciAddress() throws IOException {
        copy(sysfs, "nvidia-2xa100-nodriver");
        Files.createDirectory(sysfs.resolve("bus/pci/devices/lost+found"));

        ProbeResult result = scan(sysfs);

        assertThat(result.status().detail()).contains("lost+found: not a PCI address");
        assertThat(result.devices()).hasSize(2);
    }

    @Test
    void fallsBackToVramTotalWhenTheKfdTopologyIsMissing() throws IOException {
        copy(sysfs, "amd-mi210");
        Files.delete(sysfs.resolve("class/kfd/kfd"));

        ProbeResult result = scan(sysfs);

        Device gpu = result.devices().get(0);
        assertThat(gpu.memoryBytes()).isEqualTo(68_702_699_520L);
        assertThat(gpu.computeUnits()).isZero();
        assertThat(gpu.health()).isEqualTo(Health.UNKNOWN);
        assertThat(gpu.healthReason()).isEqualTo("no KFD topology (ROCm cannot use it)");
        // No /dev/kfd without KFD; the render node is still the card's.
        assertThat(gpu.deviceNodes()).containsExactly("/dev/dri/renderD128");
        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
    }

    @Test
    void namesGarbageInAKfdPropertyAndKeepsTheRestOfTheGpu() throws IOException {
        copy(sysfs, "amd-mi210");
        Path properties = sysfs.resolve("class/kfd/kfd/topology/nodes/1/properties");
        write(properties, Files.readString(properties).replace("simd_count 416", "simd_count lots"));

        ProbeResult result = scan(sysfs);

        Device gpu = result.devices().get(0);
        assertThat(gpu.computeUnits()).isZero();
        assertThat(gpu.memoryBytes()).isEqualTo(68_702_699_520L);
        assertThat(gpu.attributes()).containsEntry("amd.gfx", "gfx90a");
        assertThat(result.status().detail()).contains("kfd node 1/properties simd_count: not a number 'lots'");
    }

    @Test
    void namesAnUnreadableKfdNodeAndStillListsTheGpu() throws IOException {
        copy(sysfs, "amd-mi210");
        makeUnreadable(sysfs.resolve("class/kfd/kfd/topology/nodes/1/properties"));

        ProbeResult result = scan(sysfs);

        Device gpu = result.devices().get(0);
        assertThat(gpu.model()).isEqualTo("Instinct MI210");
        assertThat(gpu.memoryBytes()).isEqualTo(68_702_699_520L);
        assertThat(gpu.healthReason()).isEqualTo("no KFD node for this GPU (ROCm cannot use it)");
        assertThat(result.status().detail()).contains("kfd node 1/properties: unreadable (Is a directory)");
    }

    @Test
    void marksAnAmdGpuWithoutAmdgpuUnhealthy() throws IOException {
        copy(sysfs, "amd-mi210");
        Files.delete(pciDir(sysfs, "0000:c3:00.0").resolve("driver"));

        Device gpu = scan(sysfs).devices().get(0);

        assertThat(gpu.health()).isEqualTo(Health.UNHEALTHY);
        assertThat(gpu.healthReason()).isEqualTo("no amdgpu driver bound");
    }

    @Test
    void failsWhenTheDeviceDirectoryCannotBeListed() throws IOException {
        Files.createDirectories(sysfs.resolve("bus/pci"));
        write(sysfs.resolve("bus/pci/devices"), "not a directory");

        ProbeResult result = scan(sysfs);

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.FAILED);
        assertThat(result.status().detail())
                .isEqualTo("cannot list " + sysfs.resolve("bus/pci/devices") + ": not a directory");
    }

    @Test
    void summarisesManyProblemsWithoutFloodingTheStatusLine() throws IOException {
        copy(sysfs, "nvidia-2xa100-nodriver");
        for (int i = 0; i < 7; i++) {
            Files.createDirectory(sysfs.resolve("bus/pci/devices/junk" + i));
        }

        String detail = scan(sysfs).status().detail();

        assertThat(detail).contains("7 problems: junk0: not a PCI address").endsWith("; and 2 more");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
