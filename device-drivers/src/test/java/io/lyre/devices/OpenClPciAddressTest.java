package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The vendor extensions through which OpenCL devices tell their PCI address, so they merge with CUDA and sysfs. */
class OpenClPciAddressTest {

    @Test
    void decodesKhrPciBusInfo() {
        byte[] info = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(0).putInt(0x3b).putInt(0).putInt(0).array();

        assertThat(OpenClPciAddress.fromKhr(info)).hasValueSatisfying(a -> assertThat(a).hasToString("0000:3b:00.0"));
    }

    @Test
    void decodesNvidiasSlotIdAsDevfn() {
        // CL_DEVICE_PCI_SLOT_ID_NV packs (device << 3) | function.
        assertThat(OpenClPciAddress.fromNv(0, 0x87, (2 << 3) | 1)).hasValueSatisfying(a -> assertThat(a).hasToString("0000:87:02.1"));
    }

    @Test
    void decodesAmdTopology() {
        byte[] topology = new byte[24];
        ByteBuffer.wrap(topology).order(ByteOrder.nativeOrder()).putInt(0, 1);
        topology[21] = (byte) 0xc3;
        topology[22] = 0;
        topology[23] = 0;

        assertThat(OpenClPciAddress.fromAmdTopology(topology)).hasValueSatisfying(a -> assertThat(a).hasToString("0000:c3:00.0"));
    }

    @Test
    void ignoresAmdTopologyThatIsNotPcie() {
        byte[] topology = new byte[24];
        ByteBuffer.wrap(topology).order(ByteOrder.nativeOrder()).putInt(0, 0);

        assertThat(OpenClPciAddress.fromAmdTopology(topology)).isEmpty();
    }

    @Test
    void ignoresOutOfRangeValues() {
        byte[] info = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(0).putInt(0x3b).putInt(99).putInt(0).array();

        assertThat(OpenClPciAddress.fromKhr(info)).isEmpty();
        assertThat(OpenClPciAddress.fromKhr(new byte[4])).isEmpty();
    }
}
