package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.lyre.devices.DeviceKind;
import io.lyre.devices.HostInventory;
import io.lyre.devices.ProbeStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevicesCommandTest {

    @TempDir
    Path sysfs;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run agent(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = AgentMain.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Writes a driverless NVIDIA A100 (10de:20b0) at 0000:3b:00.0, the way sysfs lays it out. */
    private void nvidiaWithoutDriver() throws IOException {
        Path dev = Files.createDirectories(sysfs.resolve("bus/pci/devices/0000:3b:00.0"));
        Files.writeString(dev.resolve("vendor"), "0x10de\n");
        Files.writeString(dev.resolve("device"), "0x20b0\n");
        Files.writeString(dev.resolve("class"), "0x030200\n");
        Files.writeString(dev.resolve("numa_node"), "0\n");
    }

    @Test
    void printsATableWithDevicesAndOneLinePerProbe() throws IOException {
        nvidiaWithoutDriver();

        Run run = agent("devices", "--sysfs-root", sysfs.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("KIND", "VENDOR", "MODEL", "MEMORY", "ID", "SOURCE")
                .contains("0000:3b:00.0")
                .contains("PROBES")
                .containsPattern("(?m)^\\s+cpu\\s+ok")
                .containsPattern("(?m)^\\s+sysfs\\s+ok");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void printsJsonThatReadsBackAsTheSameInventory() throws IOException {
        nvidiaWithoutDriver();

        Run run = agent("devices", "--json", "--sysfs-root", sysfs.toString());
        HostInventory inventory = InventoryJson.read(run.out());

        assertThat(run.exitCode()).isZero();
        assertThat(inventory.devices()).anySatisfy(d -> {
            assertThat(d.kind()).isEqualTo(DeviceKind.GPU);
            assertThat(d.pciAddress()).isEqualTo("0000:3b:00.0");
        });
        assertThat(inventory.probes()).extracting(ProbeStatus::probe).contains("cpu", "cuda", "opencl", "sysfs");
        assertThat(InventoryJson.read(InventoryJson.write(inventory))).isEqualTo(inventory);
    }

    @Test
    void reportsAMissingSysfsAsAStatusLineAndStillExitsZero() {
        Run run = agent("devices", "--sysfs-root", sysfs.resolve("does-not-exist").toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^\\s+sysfs\\s+absent\\s+.*does-not-exist");
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void answersTwoForAWrongCommandLine() {
        assertThat(agent("devices", "--no-such-flag").exitCode()).isEqualTo(2);
        assertThat(agent("no-such-command").exitCode()).isEqualTo(2);
        assertThat(agent().exitCode()).isEqualTo(2);
    }
}
