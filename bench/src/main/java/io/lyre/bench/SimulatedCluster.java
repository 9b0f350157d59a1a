package io.lyre.bench;

import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.devices.Health;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.EngineState;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.Sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * SIMULATED cluster and workload for the scheduler benchmark (no hardware is probed):
 * 99 engines with 8 GPUs each (25 with NVIDIA A100 80 GB, 25 with RTX A6000 48 GB, 25 with L4 24 GB, 24 with
 * AMD MI210 64 GB; two NUMA nodes of 4), 17 of them also with 2 FPGAs (Xilinx U250 or Intel PAC), all with 96 or
 * 128 CPU threads and 768 GiB or 1 TiB; and 10,000 requests with mixed asks from a fixed seed.
 */
public final class SimulatedCluster {

    public static final long GIB = 1L << 30;
    public static final int ENGINES = 99;
    public static final int REQUESTS = 10_000;

    private SimulatedCluster() {
    }

    public static List<Engine> engines() {
        List<Engine> out = new ArrayList<>();
        for (int i = 0; i < ENGINES; i++) {
            String host = "sim-engine-" + (i + 1);
            List<Device> devices = new ArrayList<>();
            // 25 A100-80GB hosts, 25 A6000 hosts, 25 L4 hosts, 24 MI210 hosts
            int family = i < 25 ? 0 : i < 50 ? 1 : i < 75 ? 2 : 3;
            for (int g = 0; g < 8; g++) {
                String pci = String.format("0000:%02x:00.0", 0x10 + g * 0x10);
                Map<String, String> attrs = new java.util.HashMap<>(Map.of(Device.ATTR_NUMA, Integer.toString(g / 4), Device.ATTR_PCI, pci));
                String id;
                Device d;
                switch (family) {
                    case 0, 1, 2 -> {
                        id = String.format("GPU-sim-%02d-%d-0000-0000-000000000000", i, g);
                        attrs.put(Device.ATTR_UUID, id);
                        attrs.put(Device.ATTR_CUDA_CC, family == 0 ? "8.0" : family == 1 ? "8.6" : "8.9");
                        String model = family == 0 ? "NVIDIA A100-SXM4-80GB" : family == 1 ? "NVIDIA RTX A6000" : "NVIDIA L4";
                        long mem = family == 0 ? 80 : family == 1 ? 48 : 24;
                        d = new Device(id, DeviceKind.GPU, "NVIDIA", model, mem * GIB, family == 0 ? 108 : family == 1 ? 84 : 58,
                                attrs, Health.HEALTHY, "", Set.of("simulated"));
                    }
                    default -> {
                        attrs.put(Device.ATTR_DEV_NODES, "/dev/dri/renderD" + (128 + g) + ",/dev/kfd");
                        d = new Device(pci, DeviceKind.GPU, "AMD", "AMD Instinct MI210", 64 * GIB, 104, attrs,
                                Health.HEALTHY, "", Set.of("simulated"));
                    }
                }
                devices.add(d);
            }
            if (i % 6 == 0) { // 17 hosts with two FPGAs: Xilinx on even, Intel on odd ones
                for (int f = 0; f < 2; f++) {
                    String pci = String.format("0000:%02x:00.0", 0xd0 + f);
                    boolean xilinx = (i / 6) % 2 == 0;
                    devices.add(new Device(pci, DeviceKind.FPGA, xilinx ? "Xilinx" : "Intel", xilinx ? "Alveo U250" : "Intel PAC D5005",
                            64 * GIB, 0, Map.of(Device.ATTR_PCI, pci, Device.ATTR_NUMA, Integer.toString(f),
                            Device.ATTR_DEV_NODES, xilinx ? "/dev/xclmgmt" + (1000 + f) + ",/dev/dri/renderD" + (140 + f)
                                    : "/dev/intel-fpga-port." + f), Health.HEALTHY, "", Set.of("simulated")));
                }
            }
            int threads = i % 3 == 0 ? 96 : 128;
            long mem = (i % 3 == 0 ? 768 : 1024) * GIB;
            HostFacts facts = new HostFacts(host, "simulated", "amd64", "Simulated CPU", 2, threads / 2, threads, 2, mem, List.of());
            out.add(Engine.of(host, 24001 + i, Map.of("zone", i % 2 == 0 ? "a" : "b"), EngineState.READY,
                    new HostInventory(facts, devices, List.of())));
        }
        return List.copyOf(out);
    }

    /** 10,000 requests, seeded: mostly CPU apps and time-shared GPUs, with exclusive GPU, multi-GPU and FPGA asks. */
    public static List<Requirement> requests(long seed) {
        Random rnd = new Random(seed);
        List<Requirement> out = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            String app = "app-" + i;
            int roll = rnd.nextInt(10_000);
            long cores = 250L * (1 + rnd.nextInt(8));      // 0.25 .. 2 cores
            long mem = GIB * (1 + rnd.nextInt(16));        // 1 .. 16 GiB
            Requirement base = Requirement.cpuOnly(app, cores, mem);
            Requirement r;
            // Sized so that cores, memory, NVIDIA, AMD and FPGA capacity all run out near the end of the stream.
            if (roll < 1200) {                              // 12 % a time-shared NVIDIA GPU (up to 8 apps)
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1).withSharing(Sharing.shared(8)));
            } else if (roll < 1350) {                       // 1.5 % AppAPI cuda: any NVIDIA GPU
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 1));
            } else if (roll < 1450) {                       // 1 % a big NVIDIA GPU, preferring A100s
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "nvidia", 1, "memory >= 40 GiB", "cuda.cc >= 8.0")
                        .withAffinities(List.of(Affinity.parse("model matches A100", 50))));
            } else if (roll < 1500) {                       // 0.5 % two big GPUs
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 2, "memory >= 40 GiB"));
            } else if (roll < 1520) {                       // 0.2 % four A100s
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "NVIDIA", 4, "memory >= 80 GiB"));
            } else if (roll < 1620) {                       // 1 % AppAPI rocm: one AMD GPU
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1));
            } else if (roll < 1820) {                       // 2 % a shared AMD GPU (up to 4 apps)
                r = base.withDevices(DeviceAsk.of(DeviceKind.GPU, "AMD", 1).withSharing(Sharing.shared(4)));
            } else if (roll < 1835) {                       // 0.15 % a Xilinx FPGA
                r = base.withDevices(DeviceAsk.of(DeviceKind.FPGA, "xilinx", 1));
            } else if (roll < 1850) {                       // 0.15 % any FPGA
                r = base.withDevices(DeviceAsk.of(DeviceKind.FPGA, "", 1));
            } else {                                        // 81.5 % CPU only
                r = base;
            }
            out.add(r);
        }
        return List.copyOf(out);
    }
}
