package io.lyre.devices;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * AMD GPUs (display class). Memory and compute units come from KFD, the driver ROCm uses, which is also
 * what makes a GPU usable by a ROCm container ({@code /dev/kfd} plus the card's render node).
 */
final class AmdGpus implements PciFamily {

    static final int VENDOR = 0x1002;

    private static final Map<Integer, String> MODELS = Map.of(
            0x740f, "Instinct MI210",
            0x7408, "Instinct MI250X",
            0x740c, "Instinct MI250X/MI250",
            0x738c, "Instinct MI100",
            0x74a1, "Instinct MI300X",
            0x74a0, "Instinct MI300A",
            0x744c, "Radeon RX 7900 XTX/XT",
            0x7448, "Radeon Pro W7900",
            0x73bf, "Radeon RX 6800/6900 XT");

    @Override
    public boolean claims(int vendor, int device, int classCode) {
        return vendor == VENDOR && (classCode >>> 16) == 0x03;
    }

    @Override
    public List<Device> describe(List<PciFunction> functions, SysfsScan scan) {
        KfdTopology kfd = KfdTopology.read(scan);
        List<Device> devices = new ArrayList<>();
        for (PciFunction f : functions) {
            devices.add(gpu(f, kfd, scan));
        }
        return devices;
    }

    private Device gpu(PciFunction f, KfdTopology kfd, SysfsScan scan) {
        Map<String, String> attributes = f.baseAttributes();
        Optional<KfdTopology.Node> node = kfd.nodeFor(f.address());
        long memory = 0;
        int computeUnits = 0;
        List<String> nodes = new ArrayList<>();
        List<String> render = new ArrayList<>(f.renderNodes());
        if (node.isPresent()) {
            KfdTopology.Node n = node.get();
            memory = n.memoryBytes();
            computeUnits = computeUnits(n, scan.problems());
            attributes.put("kfd.node", n.name());
            if (!n.gpuId().isEmpty()) {
                attributes.put("kfd.gpu_id", n.gpuId());
            }
            n.number("gfx_target_version", scan.problems()).ifPresent(v -> {
                attributes.put("amd.gfx_target_version", Long.toString(v));
                attributes.put("amd.gfx", gfxName(v));
            });
            if (render.isEmpty()) {
                n.number("drm_render_minor", scan.problems()).ifPresent(m -> render.add("renderD" + m));
            }
            nodes.add(scan.devNode("kfd"));
        }
        if (memory == 0) {
            memory = vramTotal(f.dir(), f.address(), scan.problems());
        }
        render.forEach(r -> nodes.add(scan.devNode("dri/" + r)));
        if (!nodes.isEmpty()) {
            attributes.put(Device.ATTR_DEV_NODES, String.join(",", nodes));
        }

        Health health;
        String reason;
        if (!"amdgpu".equals(f.driver())) {
            health = Health.UNHEALTHY;
            reason = f.driver().isEmpty() ? "no amdgpu driver bound" : "bound to " + f.driver() + ", not amdgpu";
        } else if (node.isEmpty()) {
            health = Health.UNKNOWN;
            reason = kfd.present() ? "no KFD node for this GPU (ROCm cannot use it)" : "no KFD topology (ROCm cannot use it)";
        } else {
            health = Health.HEALTHY;
            reason = "";
        }
        String model = MODELS.getOrDefault(f.device(), String.format(Locale.ROOT, "AMD GPU 0x%04x", f.device()));
        return new Device(f.address().toString(), DeviceKind.GPU, Vendors.AMD, model, memory, computeUnits, attributes,
                health, reason, Set.of(SysfsPciProbe.NAME));
    }

    private static int computeUnits(KfdTopology.Node node, ScanProblems problems) {
        OptionalLong simds = node.number("simd_count", problems);
        OptionalLong perCu = node.number("simd_per_cu", problems);
        if (simds.isEmpty() || perCu.isEmpty() || perCu.getAsLong() <= 0) {
            return 0;
        }
        return (int) (simds.getAsLong() / perCu.getAsLong());
    }

    private static long vramTotal(Path dir, PciAddress address, ScanProblems problems) {
        String where = address + "/mem_info_vram_total";
        return SysfsFile.number(SysfsFile.read(dir.resolve("mem_info_vram_total"), where, problems), where, problems)
                .orElse(0);
    }

    /** KFD's gfx_target_version 90010 is gfx90a: major, minor, then the stepping as one hex digit. */
    static String gfxName(long version) {
        long major = version / 10000;
        long minor = (version / 100) % 100;
        long stepping = version % 100;
        return "gfx" + major + minor + Long.toHexString(stepping);
    }
}
