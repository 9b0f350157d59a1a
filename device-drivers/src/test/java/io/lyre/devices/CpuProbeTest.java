package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuProbeTest {

    private static final Path XEON = Path.of("src/test/resources/cpu/two-socket-xeon");

    @Test
    void describesThisHostAndOneDevicePerSocket() {
        ProbeResult result = new CpuProbe().probe(ProbeContext.host());

        assertThat(result.status().state()).isEqualTo(ProbeStatus.State.OK);
        HostFacts host = result.host().orElseThrow();
        assertThat(host.hostname()).isNotBlank();
        assertThat(host.os()).isNotBlank();
        assertThat(host.arch()).isEqualTo(System.getProperty("os.arch"));
        assertThat(host.cpuModel()).isNotBlank();
        assertThat(host.sockets()).isPositive();
        assertThat(host.cores()).isPositive();
        assertThat(host.threads()).isGreaterThanOrEqualTo(host.cores());
        assertThat(host.numaNodes()).isPositive();
        assertThat(host.memoryBytes()).isPositive();
        assertThat(host.cpuFlags()).isSorted();

        assertThat(result.devices()).hasSize(host.sockets());
        Device cpu0 = result.devices().get(0);
        assertThat(cpu0.id()).isEqualTo("cpu0");
        assertThat(cpu0.kind()).isEqualTo(DeviceKind.CPU);
        assertThat(cpu0.model()).isEqualTo(host.cpuModel());
        assertThat(cpu0.computeUnits()).isPositive();
        assertThat(cpu0.memoryBytes()).isPositive();
        assertThat(cpu0.attributes()).containsKeys("numa", "cores", "arch");
        assertThat(cpu0.health()).isEqualTo(Health.HEALTHY);
        assertThat(result.devices().stream().mapToInt(Device::computeUnits).sum()).isEqualTo(host.threads());
    }

    @Test
    void splitsATwoSocketXeonIntoOneDevicePerSocket() {
        ProbeResult result = new CpuProbe(XEON.resolve("proc"), XEON.resolve("etc"))
                .probe(new ProbeContext(XEON.resolve("sys"), Path.of("/dev")));

        HostFacts host = result.host().orElseThrow();
        assertThat(host.cpuModel()).isEqualTo("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz");
        assertThat(host.sockets()).isEqualTo(2);
        assertThat(host.cores()).isEqualTo(4);
        assertThat(host.threads()).isEqualTo(8);
        assertThat(host.numaNodes()).isEqualTo(2);
        assertThat(host.memoryBytes()).isEqualTo(527_952_492L * 1024);
        assertThat(host.os()).startsWith("Ubuntu 22.04.4 LTS");
        assertThat(host.cpuFlags()).contains("avx512f", "avx512bw", "avx512_vnni", "fma", "sse4_2").doesNotContain("amx_tile");

        assertThat(result.devices()).extracting(Device::id).containsExactly("cpu0", "cpu1");
        Device cpu1 = result.devices().get(1);
        assertThat(cpu1.vendor()).isEqualTo("Intel");
        assertThat(cpu1.computeUnits()).isEqualTo(4);
        assertThat(cpu1.memoryBytes()).isEqualTo(host.memoryBytes() / 2);
        assertThat(cpu1.attributes()).containsEntry("numa", "1").containsEntry("cores", "2");
        assertThat(result.status().detail()).isEqualTo("2 sockets, 4 cores, 8 threads (from /proc and sysfs)");
    }

    @Test
    void leavesHostsWithoutModelNamesToOshi(@TempDir Path proc) throws IOException {
        // arm64 /proc/cpuinfo: no "model name", only implementer and part numbers.
        Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd sve\n"
                + "CPU implementer\t: 0x41\nCPU part\t: 0xd40\n\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       32768000 kB\n");

        assertThat(LinuxCpuFacts.read(proc, proc, proc)).isEmpty();
    }

    @Test
    void readsTheSameFactsThroughOshi() {
        CpuFacts facts = OshiCpuFacts.read();

        assertThat(facts.model()).isNotBlank();
        assertThat(facts.cpus()).isNotEmpty();
        assertThat(facts.memoryBytes()).isPositive();
        assertThat(facts.source()).isEqualTo("OSHI");
    }

    @Test
    void picksTheNotableFlagsFromCpuinfoLines() {
        List<String> lines = List.of(
                "flags\t\t: fpu vme sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni amx_tile amx_bf16 amx_int8 pti",
                "flags\t\t: fpu vme sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni amx_tile amx_bf16 amx_int8 pti");

        assertThat(CpuProbe.notableFlags(lines)).containsExactly(
                "amx_bf16", "amx_int8", "amx_tile", "avx", "avx2", "avx512_vnni", "avx512bw", "avx512f", "fma", "sse4_2");
    }

    @Test
    void readsArmFeatureLinesToo() {
        assertThat(CpuProbe.notableFlags(List.of("Features\t: fp asimd evtstrm aes pmull sha1 sve sve2 i8mm bf16")))
                .containsExactly("aes", "asimd", "bf16", "i8mm", "sve", "sve2");
    }
}
