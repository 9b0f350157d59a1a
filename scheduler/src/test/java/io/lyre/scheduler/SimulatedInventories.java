package io.lyre.scheduler;

import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.devices.Health;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SIMULATED hardware for scheduling tests: no probe ran, nothing here exists on this machine. The three hosts
 * are the ones issue 5's integration test names:
 * <ul>
 *   <li>simulated host 1: two NVIDIA A100 GPUs (one 40 GB, one 80 GB), 32 threads, 256 GiB;</li>
 *   <li>simulated host 2: an AMD Instinct MI210 and a Xilinx Alveo U250, 16 threads, 128 GiB;</li>
 *   <li>simulated host 3: CPUs only, 8 threads, 32 GiB.</li>
 * </ul>
 */
public final class SimulatedInventories {

    public static final long GIB = 1024L * 1024 * 1024;
    public static final String A100_40 = "GPU-sim-a100-40g-0000-000000000001";
    public static final String A100_80 = "GPU-sim-a100-80g-0000-000000000002";
    public static final String MI210 = "0000:c1:00.0";
    public static final String U250 = "0000:d8:00.0";

    private SimulatedInventories() {
    }

    public static Device nvidia(String uuid, String model, long memoryGib, String cc, int numa, String pci) {
        return device(uuid, DeviceKind.GPU, "NVIDIA", model, memoryGib, 108, Map.of(Device.ATTR_UUID, uuid,
                Device.ATTR_CUDA_CC, cc, Device.ATTR_NUMA, Integer.toString(numa), Device.ATTR_PCI, pci,
                Device.ATTR_DRIVER, "nvidia"));
    }

    public static Device device(String id, DeviceKind kind, String vendor, String model, long memoryGib, int units,
                                Map<String, String> attributes) {
        return new Device(id, kind, vendor, model, memoryGib * GIB, units, attributes, Health.HEALTHY, "", Set.of("simulated"));
    }

    public static HostInventory simulatedHost1TwoA100() {
        return inventory("sim-host-1", 32, 256, List.of(
                nvidia(A100_40, "NVIDIA A100-SXM4-40GB", 40, "8.0", 0, "0000:3b:00.0"),
                nvidia(A100_80, "NVIDIA A100-SXM4-80GB", 80, "8.0", 1, "0000:86:00.0")));
    }

    public static HostInventory simulatedHost2Mi210AndU250() {
        return inventory("sim-host-2", 16, 128, List.of(
                device(MI210, DeviceKind.GPU, "AMD", "AMD Instinct MI210", 64, 104, Map.of(Device.ATTR_PCI, MI210,
                        Device.ATTR_NUMA, "0", Device.ATTR_DRIVER, "amdgpu", Device.ATTR_DEV_NODES, "/dev/dri/renderD128,/dev/kfd")),
                device(U250, DeviceKind.FPGA, "Xilinx", "Alveo U250", 64, 0, Map.of(Device.ATTR_PCI, U250,
                        Device.ATTR_NUMA, "0", Device.ATTR_DRIVER, "xclmgmt",
                        Device.ATTR_DEV_NODES, "/dev/xclmgmt55296,/dev/dri/renderD129"))));
    }

    public static HostInventory simulatedHost3CpuOnly() {
        return inventory("sim-host-3", 8, 32, List.of());
    }

    public static HostInventory inventory(String host, int threads, long memoryGib, List<Device> devices) {
        HostFacts facts = new HostFacts(host, "simulated", "amd64", "Simulated CPU", 1, threads, threads, 1,
                memoryGib * GIB, List.of());
        return new HostInventory(facts, devices, List.of());
    }

    /** The three simulated hosts as READY engines on slots 24001-24003, labelled by zone. */
    public static List<Engine> threeSimulatedEngines() {
        return List.of(
                Engine.of("sim-host-1", 24001, Map.of("zone", "basement", "tier", "gpu"), EngineState.READY, simulatedHost1TwoA100()),
                Engine.of("sim-host-2", 24002, Map.of("zone", "basement", "tier", "mixed"), EngineState.READY, simulatedHost2Mi210AndU250()),
                Engine.of("sim-host-3", 24003, Map.of("zone", "attic"), EngineState.READY, simulatedHost3CpuOnly()));
    }

    public static List<Engine> replaceState(List<Engine> engines, String id, EngineState state) {
        return engines.stream().map(e -> e.id().equals(id) ? e.withState(state) : e).toList();
    }
}
