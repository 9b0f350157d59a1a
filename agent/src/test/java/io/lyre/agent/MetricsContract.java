package io.lyre.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric tables of {@code docs/metrics.md} (the contract the dashboard is checked against), per section
 * ("Proxy", "Agent"): name, type and label names. Shared with the proxy's tests through this module's test jar.
 */
public final class MetricsContract {
    /** The repository root, seen from a module's directory (where Maven runs its tests). */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    public static final Path DOC = ROOT.resolve("docs/metrics.md");

    public record Metric(String name, String type, Set<String> labels) {
    }

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([a-z]+)\\s*\\|([^|]*)\\|");
    private static final Pattern TICKED = Pattern.compile("`([a-zA-Z_][a-zA-Z0-9_]*)`");

    private MetricsContract() {
    }

    /** section title -> metric name -> metric. */
    public static Map<String, Map<String, Metric>> read() {
        Map<String, Map<String, Metric>> sections = new LinkedHashMap<>();
        String section = "";
        try {
            for (String line : Files.readAllLines(DOC)) {
                if (line.startsWith("## ")) {
                    section = line.substring(3).strip();
                    continue;
                }
                Matcher m = ROW.matcher(line);
                if (m.find()) {
                    sections.computeIfAbsent(section, s -> new LinkedHashMap<>())
                            .put(m.group(1), new Metric(m.group(1), m.group(2), labels(m.group(3))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sections;
    }

    /** "`app`, `status_class` (`2xx`..`5xx`)" -> [app, status_class]: ticked names outside parentheses. */
    public static Set<String> labels(String cell) {
        String outside = cell.replaceAll("\\([^)]*\\)", " ");
        Set<String> labels = new TreeSet<>();
        Matcher m = TICKED.matcher(outside);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    public static Map<String, Metric> section(String title) {
        Map<String, Metric> s = read().get(title);
        if (s == null || s.isEmpty()) {
            throw new AssertionError("no \"## " + title + "\" metric table in " + DOC);
        }
        return s;
    }

    /** A section's metric name -> type ("counter", "gauge", "histogram"). */
    public static Map<String, String> types(String title) {
        Map<String, String> types = new LinkedHashMap<>();
        section(title).forEach((name, metric) -> types.put(name, metric.type()));
        return types;
    }

    /**
     * The series names the metrics of every section export, each to its metric: a histogram's {@code _bucket},
     * {@code _count} and {@code _sum}; the name itself for counters and gauges.
     */
    public static Map<String, String> seriesNames() {
        Map<String, String> series = new LinkedHashMap<>();
        read().values().forEach(metrics -> metrics.forEach((name, metric) -> {
            if ("histogram".equals(metric.type())) {
                for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
                    series.put(name + suffix, name);
                }
            } else {
                series.put(name, name);
            }
        }));
        return series;
    }
}
