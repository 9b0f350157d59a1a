package io.lyre.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric tables of {@code docs/metrics.md}: name -> type, per section ("Proxy", "Agent"). */
final class MetricsContract {

    /** The repository root, seen from the agent module's directory (where Maven runs its tests). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DOC = ROOT.resolve("docs/metrics.md");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([a-z]+)\\s*\\|");

    private MetricsContract() {
    }

    /** section title ("Proxy", "Agent") -> metric name -> type ("counter", "gauge", "histogram"). */
    static Map<String, Map<String, String>> read() {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        String section = "";
        try {
            for (String line : Files.readAllLines(DOC)) {
                if (line.startsWith("## ")) {
                    section = line.substring(3).strip();
                    continue;
                }
                Matcher m = ROW.matcher(line);
                if (m.find()) {
                    sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(m.group(1), m.group(2));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sections;
    }

    /** Every metric of every section. */
    static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        read().values().forEach(all::putAll);
        return all;
    }

    /**
     * The series names a metric of this type exports: a histogram's {@code _bucket}, {@code _count} and
     * {@code _sum}; the name itself for counters and gauges.
     */
    static Map<String, String> seriesNames() {
        Map<String, String> series = new LinkedHashMap<>();
        all().forEach((name, type) -> {
            if ("histogram".equals(type)) {
                for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
                    series.put(name + suffix, name);
                }
            } else {
                series.put(name, name);
            }
        });
        return series;
    }
}
