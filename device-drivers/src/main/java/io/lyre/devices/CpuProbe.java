package io.lyre.devices;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The host's facts and one CPU device per socket. On Linux it reads /proc and sysfs itself
 * ({@link LinuxCpuFacts}, a few milliseconds); elsewhere it asks OSHI ({@link OshiCpuFacts}), whose processor
 * query starts helper processes and would otherwise dominate {@code lyre devices}.
 *
 * <p>A socket's device: id {@code cpu<package>}, computeUnits = its logical threads, memory = an even share
 * of host memory (the scheduler counts memory from host facts; the share keeps other probes' guesses out
 * in the merge), attributes {@code numa} (its NUMA nodes), {@code cores}, {@code cpu.flags}, {@code arch}.
 */
public final class CpuProbe implements DeviceProbe {

    public static final String NAME = "cpu";

    /** Flags that change what software can run fast; the rest of /proc/cpuinfo's list is noise for placement. */
    static final Set<String> NOTABLE_FLAGS = Set.of(
            "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "aes", "sha_ni", "bmi2",
            "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "avx512ifma", "avx512vbmi",
            "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni",
            "amx_tile", "amx_bf16", "amx_int8", "amx_fp16",
            // arm64 names
            "asimd", "asimddp", "sve", "sve2", "i8mm", "bf16");

    private final Path proc;
    private final Path etc;

    public CpuProbe() {
        this(Path.of("/proc"), Path.of("/etc"));
    }

    /** For tests: fixture copies of /proc and /etc; sysfs comes from the probe context. */
    CpuProbe(Path proc, Path etc) {
        this.proc = Objects.requireNonNull(proc);
        this.etc = Objects.requireNonNull(etc);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ProbeContext context) {
        CpuFacts facts = LinuxCpuFacts.read(proc, context.sysfsRoot(), etc).orElseGet(OshiCpuFacts::read);
        return describe(facts);
    }

    static ProbeResult describe(CpuFacts facts) {
        List<String> flags = notableFlags(facts.flagLines());
        String arch = System.getProperty("os.arch", "");
        Map<Integer, List<CpuFacts.LogicalCpu>> bySocket = new TreeMap<>();
        facts.cpus().forEach(cpu -> bySocket.computeIfAbsent(cpu.socket(), k -> new ArrayList<>()).add(cpu));
        int sockets = Math.max(1, bySocket.size());

        List<Device> devices = new ArrayList<>();
        int cores = 0;
        for (Map.Entry<Integer, List<CpuFacts.LogicalCpu>> socket : bySocket.entrySet()) {
            List<CpuFacts.LogicalCpu> threads = socket.getValue();
            int socketCores = (int) threads.stream().map(CpuFacts.LogicalCpu::core).distinct().count();
            cores += socketCores;
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put(Device.ATTR_NUMA, joined(threads.stream().map(CpuFacts.LogicalCpu::numaNode).toList()));
            attributes.put("cores", Integer.toString(socketCores));
            attributes.put("arch", arch);
            if (!flags.isEmpty()) {
                attributes.put("cpu.flags", String.join(",", flags));
            }
            devices.add(new Device("cpu" + socket.getKey(), DeviceKind.CPU, facts.vendor(), facts.model(),
                    facts.memoryBytes() / sockets, threads.size(), attributes, Health.HEALTHY, "", Set.of(NAME)));
        }
        int numaNodes = (int) facts.cpus().stream().map(CpuFacts.LogicalCpu::numaNode).distinct().count();
        HostFacts host = new HostFacts(LocalHostname.get(), facts.os(), arch, facts.model(), sockets, cores,
                facts.cpus().size(), Math.max(1, numaNodes), facts.memoryBytes(), flags);
        String detail = ScanProblems.count(sockets, "socket") + ", " + cores + " cores, "
                + ScanProblems.count(facts.cpus().size(), "thread") + " (from " + facts.source() + ")";
        return new ProbeResult(ProbeStatus.ok(NAME, detail), devices, Optional.of(host));
    }

    /** The notable flags among /proc/cpuinfo lines ("flags : fpu vme ..."), sorted and without duplicates. */
    static List<String> notableFlags(List<String> featureLines) {
        Set<String> found = new TreeSet<>();
        for (String line : featureLines) {
            int colon = line.indexOf(':');
            for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
                if (NOTABLE_FLAGS.contains(flag)) {
                    found.add(flag);
                }
            }
        }
        return List.copyOf(found);
    }

    private static String joined(List<Integer> values) {
        return String.join(",", new TreeSet<>(values).stream().map(String::valueOf).toList());
    }
}
