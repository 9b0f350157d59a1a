package io.lyre.devices;

import static io.lyre.devices.TestDevice.device;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InventoryScanTest {

    private static final ProbeContext CONTEXT = new ProbeContext(Path.of("/nonexistent-sys"), Path.of("/dev"));

    @Test
    void turnsAThrowingProbeIntoOneFailedLineAndKeepsTheOthersDevices() {
        InventoryScan scan = new InventoryScan(List.of(
                probe("fpga", ctx -> ProbeResult.of(ProbeStatus.ok("fpga", "found 1 device"),
                        List.of(device("0000:3b:00.0").from("fpga").kind(DeviceKind.FPGA).pci("0000:3b:00.0").build()))),
                probe("broken", ctx -> {
                    throw new IllegalStateException("driver said no\n\tat somewhere.deep(Native.java)");
                }),
                probe("natives", ctx -> {
                    throw new UnsatisfiedLinkError("/tmp/libX.so: libfoo.so.2: cannot open shared object file: No such file or directory");
                }),
                probe("gpu", ctx -> ProbeResult.of(ProbeStatus.ok("gpu", "found 1 device"),
                        List.of(device("GPU-1").from("gpu").pci("0000:07:00.0").build())))));

        HostInventory inventory = scan.scan(CONTEXT);

        assertThat(inventory.probes()).containsExactly(
                ProbeStatus.ok("fpga", "found 1 device"),
                ProbeStatus.failed("broken", "IllegalStateException: driver said no"),
                ProbeStatus.failed("natives", "UnsatisfiedLinkError: libfoo.so.2 not found"),
                ProbeStatus.ok("gpu", "found 1 device"));
        assertThat(inventory.devices()).extracting(Device::id).containsExactly("GPU-1", "0000:3b:00.0");
    }

    @Test
    void takesHostFactsFromTheProbeThatKnowsThem() {
        HostFacts facts = new HostFacts("gpu-box", "Debian 12", "amd64", "EPYC", 1, 2, 4, 1, 1L << 34, List.of("avx2"));
        InventoryScan scan = new InventoryScan(List.of(
                probe("other", ctx -> ProbeResult.of(ProbeStatus.ok("other", ""), List.of())),
                probe("cpu", ctx -> new ProbeResult(ProbeStatus.ok("cpu", ""), List.of(), Optional.of(facts)))));

        assertThat(scan.scan(CONTEXT).host()).isEqualTo(facts);
    }

    @Test
    void fallsBackToUnknownHostFactsWithTheHostname() {
        InventoryScan scan = new InventoryScan(List.of(probe("cpu", ctx -> {
            throw new NoClassDefFoundError("oshi/SystemInfo");
        })));

        HostInventory inventory = scan.scan(CONTEXT);

        assertThat(inventory.host().hostname()).isNotBlank();
        assertThat(inventory.host().threads()).isZero();
        assertThat(inventory.probes()).containsExactly(ProbeStatus.failed("cpu", "NoClassDefFoundError: oshi/SystemInfo"));
    }

    @Test
    void cutsOffAProbeThatHangs() {
        CountDownLatch never = new CountDownLatch(1);
        InventoryScan scan = new InventoryScan(List.of(
                probe("stuck", ctx -> {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ProbeResult.failed("stuck", "unreachable");
                }),
                probe("quick", ctx -> ProbeResult.of(ProbeStatus.ok("quick", ""), List.of()))),
                Duration.ofMillis(200));

        long start = System.nanoTime();
        HostInventory inventory = scan.scan(CONTEXT);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(inventory.probes()).containsExactly(
                ProbeStatus.failed("stuck", "timed out after 200 ms"), ProbeStatus.ok("quick", ""));
    }

    @Test
    void runsProbesInParallel() {
        // Each probe waits for the other: only parallel runs finish before the timeout.
        CountDownLatch both = new CountDownLatch(2);
        InventoryScan scan = new InventoryScan(List.of(waitingFor(both, "a"), waitingFor(both, "b")), Duration.ofSeconds(10));

        assertThat(scan.scan(CONTEXT).probes()).extracting(ProbeStatus::state)
                .containsExactly(ProbeStatus.State.OK, ProbeStatus.State.OK);
    }

    @Test
    void reportsAProbeThatReturnsNothing() {
        InventoryScan scan = new InventoryScan(List.of(probe("lazy", ctx -> null)));

        assertThat(scan.scan(CONTEXT).probes()).containsExactly(ProbeStatus.failed("lazy", "returned no result"));
    }

    @Test
    void marksDevicesWithTheProbeThatSawThem() {
        Device unmarked = new Device("x", DeviceKind.ACCELERATOR, "", "", 0, 0, null, null, null, null);
        InventoryScan scan = new InventoryScan(List.of(probe("mine", ctx -> ProbeResult.of(ProbeStatus.ok("mine", ""), List.of(unmarked)))));

        assertThat(scan.scan(CONTEXT).devices()).singleElement()
                .satisfies(d -> assertThat(d.sources()).containsExactly("mine"));
    }

    @Test
    void loadsTheFourProbesAsServices() {
        assertThat(new InventoryScan().probes()).extracting(DeviceProbe::name)
                .containsExactlyInAnyOrder("cpu", "cuda", "opencl", "sysfs");
    }

    @Test
    void scansAFixtureHostEndToEnd() {
        ProbeContext fixture = new ProbeContext(SysfsFixtures.fixture("nvidia-2xa100-nodriver"), Path.of("/dev"));

        HostInventory inventory = new InventoryScan(List.of(new SysfsPciProbe(), new CpuProbe())).scan(fixture);

        assertThat(inventory.host().threads()).isPositive();
        assertThat(inventory.devices()).extracting(Device::id).startsWith("cpu0").contains("0000:07:00.0", "0000:87:00.0");
        assertThat(inventory.probes()).extracting(ProbeStatus::probe).containsExactly("sysfs", "cpu");
    }

    private static DeviceProbe waitingFor(CountDownLatch both, String name) {
        return probe(name, ctx -> {
            both.countDown();
            try {
                return both.await(5, TimeUnit.SECONDS)
                        ? ProbeResult.of(ProbeStatus.ok(name, ""), List.of())
                        : ProbeResult.failed(name, "ran alone");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ProbeResult.failed(name, "interrupted");
            }
        });
    }

    private interface Body {
        ProbeResult probe(ProbeContext context);
    }

    private static DeviceProbe probe(String name, Body body) {
        return new DeviceProbe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ProbeResult probe(ProbeContext context) {
                return body.probe(context);
            }
        };
    }
}
