package io.lyre.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CPU facts read straight from {@code /proc/cpuinfo}, {@code /proc/meminfo}, sysfs topology and
 * {@code /etc/os-release}: what OSHI's processor query returns, without the processes it starts for it
 * (cpuid, dmidecode, lshw, getconf: about 350 ms alone, twice that beside the other probes).
 */
final class LinuxCpuFacts {

    private LinuxCpuFacts() {
    }

    /** Empty when this is no Linux /proc with x86-style model names; the caller then asks OSHI. */
    static Optional<CpuFacts> read(Path proc, Path sysfs, Path etc) {
        List<Map<String, String>> blocks = cpuinfoBlocks(proc.resolve("cpuinfo"));
        if (blocks.isEmpty() || !blocks.get(0).containsKey("model name")) {
            return Optional.empty();
        }
        long memory = memTotal(proc.resolve("meminfo"));
        if (memory <= 0) {
            return Optional.empty();
        }
        Map<Integer, Integer> numa = numaNodes(sysfs.resolve("devices/system/node"));
        List<CpuFacts.LogicalCpu> cpus = new ArrayList<>();
        List<String> flagLines = new ArrayList<>();
        for (Map<String, String> block : blocks) {
            Integer number = integer(block.get("processor"));
            if (number == null) {
                continue;
            }
            Path topology = sysfs.resolve("devices/system/cpu/cpu" + number + "/topology");
            int socket = firstOf(intFile(topology.resolve("physical_package_id")), integer(block.get("physical id")), 0);
            int core = firstOf(intFile(topology.resolve("core_id")), integer(block.get("core id")), number);
            cpus.add(new CpuFacts.LogicalCpu(number, socket, core, numa.getOrDefault(number, 0)));
            String flags = block.getOrDefault("flags", block.get("Features"));
            if (flags != null && !flagLines.contains("flags : " + flags)) {
                flagLines.add("flags : " + flags);
            }
        }
        Map<String, String> first = blocks.get(0);
        return Optional.of(new CpuFacts(Vendors.canonical(first.getOrDefault("vendor_id", "")),
                first.get("model name").trim().replaceAll("\\s+", " "), cpus, flagLines, memory, os(etc), "/proc and sysfs"));
    }

    private static List<Map<String, String>> cpuinfoBlocks(Path cpuinfo) {
        List<Map<String, String>> blocks = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return blocks;
        }
        Map<String, String> block = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    blocks.add(block);
                    block = new LinkedHashMap<>();
                }
            } else if (colon > 0) {
                block.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        return blocks;
    }

    private static long memTotal(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("MemTotal:")) {
                    String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * (parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable or garbage: no memory figure, so the caller asks OSHI
        }
        return 0;
    }

    /** cpu number -> NUMA node, from node<N>/cpulist ("0-15,32-47"). */
    private static Map<Integer, Integer> numaNodes(Path nodes) {
        Map<Integer, Integer> byCpu = new HashMap<>();
        if (!Files.isDirectory(nodes)) {
            return byCpu;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodes, "node[0-9]*")) {
            for (Path dir : dirs) {
                Integer node = integer(dir.getFileName().toString().substring("node".length()));
                String list = text(dir.resolve("cpulist"));
                if (node == null || list == null) {
                    continue;
                }
                for (String range : list.split(",")) {
                    String[] ends = range.trim().split("-");
                    Integer from = integer(ends[0]);
                    Integer to = ends.length > 1 ? integer(ends[1]) : from;
                    if (from != null && to != null) {
                        for (int cpu = from; cpu <= to; cpu++) {
                            byCpu.put(cpu, node);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // no NUMA information: every CPU on node 0
        }
        return byCpu;
    }

    private static String os(Path etc) {
        String kernel = System.getProperty("os.version", "");
        try {
            for (String line : Files.readAllLines(etc.resolve("os-release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    String name = line.substring("PRETTY_NAME=".length()).replace("\"", "").trim();
                    return kernel.isEmpty() ? name : name + ", kernel " + kernel;
                }
            }
        } catch (IOException e) {
            // fall through to the JVM's view
        }
        return (System.getProperty("os.name", "") + " " + kernel).trim();
    }

    private static Integer intFile(Path file) {
        return integer(text(file));
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static Integer integer(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int firstOf(Integer a, Integer b, int fallback) {
        return a != null ? a : b != null ? b : fallback;
    }
}
