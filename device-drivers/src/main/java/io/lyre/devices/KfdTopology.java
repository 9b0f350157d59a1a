package io.lyre.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The ROCm kernel driver's view of the GPUs: {@code class/kfd/kfd/topology/nodes/<n>/properties}, one
 * "key value" pair a line. GPU nodes are matched to PCI functions by {@code domain} and {@code location_id}
 * ((bus << 8) | devfn), the same keys ROCm's thunk uses.
 */
final class KfdTopology {

    /** One GPU node: its properties, its gpu_id and its summed VRAM banks. */
    record Node(String name, Path dir, Map<String, String> properties, String gpuId, long memoryBytes) {

        OptionalLong number(String key, ScanProblems problems) {
            return SysfsFile.number(Optional.ofNullable(properties.get(key)), where(name) + "/properties " + key, problems);
        }
    }

    // HSA heap types 1 and 2: public and private frame buffer, i.e. the card's own memory.
    private static final List<String> VRAM_HEAPS = List.of("1", "2");

    private final boolean present;
    private final List<Node> gpuNodes;

    private KfdTopology(boolean present, List<Node> gpuNodes) {
        this.present = present;
        this.gpuNodes = gpuNodes;
    }

    /** Whether the kfd topology directory exists at all (amdgpu loaded with KFD). */
    boolean present() {
        return present;
    }

    static KfdTopology read(SysfsScan scan) {
        Path nodes = scan.sysfsRoot().resolve("class/kfd/kfd/topology/nodes");
        if (!Files.isDirectory(nodes)) {
            return new KfdTopology(false, List.of());
        }
        List<Node> gpus = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodes)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                Map<String, String> properties = properties(dir.resolve("properties"), where(name) + "/properties", scan.problems());
                if (isGpu(properties)) {
                    String gpuId = SysfsFile.read(dir.resolve("gpu_id"), where(name) + "/gpu_id", scan.problems()).orElse("");
                    gpus.add(new Node(name, dir, properties, gpuId, vram(dir, name, scan.problems())));
                }
            }
        } catch (IOException e) {
            scan.problems().add("kfd topology", "unreadable (" + OneLineReason.cause(e) + ")");
        }
        return new KfdTopology(true, gpus);
    }

    /** The GPU node for a PCI function, if KFD knows it. */
    Optional<Node> nodeFor(PciAddress address) {
        String location = Integer.toString(address.locationId());
        String domain = Integer.toString(address.domain());
        return gpuNodes.stream()
                .filter(n -> location.equals(n.properties().get("location_id"))
                        && domain.equals(n.properties().getOrDefault("domain", "0")))
                .findFirst();
    }

    private static boolean isGpu(Map<String, String> properties) {
        String simds = properties.getOrDefault("simd_count", "0");
        return !simds.equals("0") && properties.containsKey("location_id");
    }

    private static Map<String, String> properties(Path file, String where, ScanProblems problems) {
        Map<String, String> properties = new LinkedHashMap<>();
        SysfsFile.read(file, where, problems).ifPresent(text -> text.lines().forEach(line -> {
            String[] kv = line.trim().split("\\s+", 2);
            if (kv.length == 2) {
                properties.put(kv[0], kv[1].trim());
            }
        }));
        return properties;
    }

    private static long vram(Path node, String name, ScanProblems problems) {
        Path banks = node.resolve("mem_banks");
        if (!Files.isDirectory(banks)) {
            return 0;
        }
        long total = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(banks)) {
            for (Path bank : dirs) {
                String where = where(name) + "/mem_banks/" + bank.getFileName() + "/properties";
                Map<String, String> properties = properties(bank.resolve("properties"), where, problems);
                if (VRAM_HEAPS.contains(properties.getOrDefault("heap_type", "1"))) {
                    total += SysfsFile.number(Optional.ofNullable(properties.get("size_in_bytes")),
                            where + " size_in_bytes", problems).orElse(0);
                }
            }
        } catch (IOException e) {
            problems.add(where(name) + "/mem_banks", "unreadable (" + OneLineReason.cause(e) + ")");
        }
        return total;
    }

    private static String where(String node) {
        return "kfd node " + node;
    }
}
