package io.lyre.scheduler.docker;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.SimulatedInventories;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent whose device root is not /dev (the namespace test bed's stand-in nodes under /run/lyre-testbed/hN/dev)
 * reports its own kfd node for an AMD GPU: the binding passes that node as /dev/kfd instead of the machine's
 * /dev/kfd, which need not exist there. An agent that reports no kfd node still gets /dev/kfd.
 */
class StandInDeviceNodesBindingTest {

    private static String[] nodes(String devNodes) {
        var gpu = SimulatedInventories.device("0000:c1:00.0", DeviceKind.GPU, "AMD", "AMD Instinct MI210", 64, 104,
                Map.of(io.lyre.devices.Device.ATTR_DEV_NODES, devNodes));
        return ContainerDeviceBinding.of(ContainerDeviceBindingTest.placement(gpu)).devices().stream()
                .map(d -> d.getPathOnHost() + " -> " + d.getPathInContainer()).toArray(String[]::new);
    }

    @Test
    void theAgentsOwnKfdNodeReplacesTheMachinesDevKfd() {
        assertThat(nodes("/run/lyre-testbed/h2/dev/kfd,/run/lyre-testbed/h2/dev/dri/renderD128")).containsExactly(
                "/run/lyre-testbed/h2/dev/kfd -> /dev/kfd", "/run/lyre-testbed/h2/dev/dri/renderD128 -> /dev/dri/renderD128");
    }

    @Test
    void withoutAKfdNodeFromTheProbeDevKfdIsAdded() {
        assertThat(nodes("/dev/dri/renderD128")).containsExactly("/dev/kfd -> /dev/kfd", "/dev/dri/renderD128 -> /dev/dri/renderD128");
    }
}
