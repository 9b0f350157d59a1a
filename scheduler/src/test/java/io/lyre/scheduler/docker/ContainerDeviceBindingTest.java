package io.lyre.scheduler.docker;

import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.HostConfig;
import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.Placement;
import io.lyre.scheduler.SimulatedInventories;
import io.lyre.scheduler.ledger.DeviceClaim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.lyre.scheduler.SimulatedInventories.GIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ContainerDeviceBindingTest {

    private static final io.lyre.devices.Device A100 = SimulatedInventories.simulatedHost1TwoA100().devices().get(0);
    private static final io.lyre.devices.Device A100_B = SimulatedInventories.simulatedHost1TwoA100().devices().get(1);
    private static final io.lyre.devices.Device MI210 = SimulatedInventories.simulatedHost2Mi210AndU250().devices().get(0);
    private static final io.lyre.devices.Device U250 = SimulatedInventories.simulatedHost2Mi210AndU250().devices().get(1);
    private static final io.lyre.devices.Device INTEL_FPGA = SimulatedInventories.device("0000:5e:00.0", DeviceKind.FPGA, "Intel",
            "Intel PAC Arria 10", 8, 0, Map.of(io.lyre.devices.Device.ATTR_DEV_NODES, "/dev/intel-fpga-port.0"));

    static Placement placement(io.lyre.devices.Device... devices) {
        return placement(2500, devices);
    }

    static Placement placement(long milliCores, io.lyre.devices.Device... devices) {
        List<DeviceClaim> claims = Stream.of(devices).map(d -> new DeviceClaim(d.id(), 1)).toList();
        return new Placement("pl-1", "llm2", "sim-host-1", 24001, List.of(devices), claims, milliCores, 8 * GIB, "abc123");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("two NVIDIA GPUs by UUID", placement(A100, A100_B),
                        List.of(SimulatedInventories.A100_40, SimulatedInventories.A100_80), List.of()),
                arguments("AMD GPU: kfd + its render node", placement(MI210), List.of(), List.of("/dev/dri/renderD128", "/dev/kfd")),
                arguments("Xilinx FPGA: mgmt + render nodes", placement(U250), List.of(), List.of("/dev/xclmgmt55296", "/dev/dri/renderD129")),
                arguments("Intel FPGA port", placement(INTEL_FPGA), List.of(), List.of("/dev/intel-fpga-port.0")),
                arguments("AMD GPU and FPGA: kfd once", placement(MI210, U250), List.of(),
                        List.of("/dev/kfd", "/dev/dri/renderD128", "/dev/xclmgmt55296", "/dev/dri/renderD129")),
                arguments("CPU only", placement(), List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void spec(String name, Placement p, List<String> nvidiaIds, List<String> nodes) {
        ContainerDeviceBinding b = ContainerDeviceBinding.of(p);
        HostConfig hc = b.applyTo(HostConfig.newHostConfig());
        if (nvidiaIds.isEmpty()) {
            assertThat(hc.getDeviceRequests()).isNull();
        } else {
            assertThat(hc.getDeviceRequests()).singleElement().satisfies(r -> {
                assertThat(r.getDriver()).isEqualTo("nvidia");
                assertThat(r.getDeviceIds()).containsExactlyElementsOf(nvidiaIds);
                assertThat(r.getCount()).as("never Count -1 (all GPUs)").isNull();
                assertThat(r.getCapabilities()).isEqualTo(List.of(List.of("gpu")));
            });
            assertThat(b.environment()).containsEntry("NVIDIA_VISIBLE_DEVICES", String.join(",", nvidiaIds));
        }
        Device[] devices = hc.getDevices();
        assertThat(devices == null ? List.<String>of() : Stream.of(devices).map(Device::getPathOnHost).toList())
                .containsExactlyInAnyOrderElementsOf(nodes);
        if (devices != null) {
            assertThat(devices).allSatisfy(d -> {
                assertThat(d.getcGroupPermissions()).isEqualTo("rwm");
                assertThat(d.getPathInContainer()).isEqualTo(d.getPathOnHost());
            });
        }
        assertThat(hc.getMemory()).isEqualTo(8 * GIB);
        assertThat(hc.getNanoCPUs()).isEqualTo(2_500_000_000L);
        assertThat(b.labels()).containsEntry(PlacementLabels.APP, "llm2").containsEntry(PlacementLabels.ENGINE, "sim-host-1")
                .containsEntry(PlacementLabels.POLICY_HASH, "abc123").containsEntry(PlacementLabels.PLACEMENT_ID, "pl-1")
                .containsEntry(PlacementLabels.DEVICES, String.join(",", p.deviceIds()));
    }

    @Test
    void appApiEnvironmentLosesAllGpus() {
        ContainerDeviceBinding b = ContainerDeviceBinding.of(placement(A100));
        assertThat(b.mergeEnvironment(List.of("APP_ID=llm2", "NVIDIA_VISIBLE_DEVICES=all")))
                .containsExactly("APP_ID=llm2", "NVIDIA_VISIBLE_DEVICES=" + SimulatedInventories.A100_40);
    }

    @Test
    void deviceWithoutNodesCannotBind() {
        var bare = SimulatedInventories.device("0000:99:00.0", DeviceKind.FPGA, "Xilinx", "U50", 8, 0, Map.of());
        assertThatThrownBy(() -> ContainerDeviceBinding.of(placement(bare)))
                .hasMessageContaining("device 0000:99:00.0 (Xilinx FPGA) has no device nodes");
    }

    @Test
    void labelsGiveTheClaimsBack() {
        Placement p = placement(MI210, U250);
        assertThat(PlacementLabels.claims(ContainerDeviceBinding.of(p).labels())).isEqualTo(p.claims());
    }


    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/dev/kfd, /dev/kfd",
        "/dev/dri/renderD128, /dev/dri/renderD128",
        "/run/lyre-testbed/h2/dev/kfd, /dev/kfd",
        "/run/lyre-testbed/h2/dev/dri/renderD128, /dev/dri/renderD128",
        "/opt/odd/node, /opt/odd/node"})
    void keepsTheUsualDevicePathInsideTheContainer(String hostNode, String inContainer) {
        assertThat(ContainerDeviceBinding.containerPath(hostNode)).isEqualTo(inContainer);
    }
}
