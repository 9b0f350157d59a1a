package io.lyre.proxy;

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
 * ("Proxy", "Agent"): name, type and label names. Same parsing as the agent module's MetricsContract, plus labels.
 */
final class MetricsContract {
    /** The repository root, seen from the proxy module's directory (where Maven runs its tests). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DOC = ROOT.resolve("docs/metrics.md");

    record Metric(String name, String type, Set<String> labels) {
    }

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:][a-z0-9_:]*)`\\s*\\|\\s*([a-z]+)\\s*\\|([^|]*)\\|");
    private static final Pattern TICKED = Pattern.compile("`([a-zA-Z_][a-zA-Z0-9_]*)`");

    private MetricsContract() {
    }

    /** section title -> metric name -> metric. */
    static Map<String, Map<String, Metric>> read() {
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
    static Set<String> labels(String cell) {
        String outside = cell.replaceAll("\\([^)]*\\)", " ");
        Set<String> labels = new TreeSet<>();
        Matcher m = TICKED.matcher(outside);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    static Map<String, Metric> section(String title) {
        Map<String, Metric> s = read().get(title);
        if (s == null || s.isEmpty()) {
            throw new AssertionError("no \"## " + title + "\" metric table in " + DOC);
        }
        return s;
    }
}
