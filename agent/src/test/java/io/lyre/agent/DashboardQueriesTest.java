package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards in {@code deploy/grafana/}: every PromQL expression (panel targets and template-variable
 * queries) parses, as {@code promtool check rules} sees it, and names only series that docs/metrics.md lists
 * (histograms with their {@code _bucket}, {@code _count}, {@code _sum} series). The Prometheus scrape config
 * there passes {@code promtool check config}.
 */
class DashboardQueriesTest {

    static final Path GRAFANA = MetricsContract.ROOT.resolve("deploy/grafana");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$");
    private static final Pattern GRAFANA_VAR = Pattern.compile("\\$\\{([a-zA-Z0-9_]+)(:[^}]*)?}|\\$([a-zA-Z0-9_]+)|\\[\\[([a-zA-Z0-9_]+)]]");
    /** "file: panel title [refId]" -> expression, with Grafana's variables replaced by values PromQL accepts. */
    static final Map<String, String> EXPRESSIONS = new LinkedHashMap<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void readDashboards() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(GRAFANA)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("dashboards in " + GRAFANA).isNotEmpty();
        for (Path f : files) {
            JsonNode dash = json.readTree(f.toFile());
            assertThat(dash.path("schemaVersion").asInt()).as(f + " schemaVersion (Grafana 10+)").isGreaterThanOrEqualTo(36);
            assertThat(dash.path("templating").path("list").findValuesAsText("type")).as(f + " datasource variable").contains("datasource");
            collectPanels(f.getFileName().toString(), dash.path("panels"));
            for (JsonNode v : dash.path("templating").path("list")) {
                if (!"query".equals(v.path("type").asText())) {
                    continue;
                }
                JsonNode q = v.path("query");
                String text = q.isTextual() ? q.asText() : q.path("query").asText();
                Matcher m = LABEL_VALUES.matcher(text);
                EXPRESSIONS.put(f.getFileName() + ": variable $" + v.path("name").asText(), substitute(m.matches() ? m.group(1) : text));
            }
        }
        assertThat(EXPRESSIONS).isNotEmpty();
    }

    private static void collectPanels(String file, JsonNode panels) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText("");
                assertThat(expr).as(file + ": " + p.path("title").asText() + " [" + t.path("refId").asText() + "] has an expr").isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).as("target datasource").isEqualTo("${datasource}");
                EXPRESSIONS.put(file + ": " + p.path("title").asText() + " [" + t.path("refId").asText() + "]", substitute(expr));
            }
            if (p.has("targets")) {
                assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText() + " datasource").isEqualTo("${datasource}");
            }
            collectPanels(file, p.path("panels"));
        }
    }

    /** Grafana's interval variables become durations, every other variable a label value. */
    static String substitute(String expr) {
        Matcher m = GRAFANA_VAR.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(4);
            m.appendReplacement(sb, name.startsWith("__") ? "5m" : "x");
        }
        m.appendTail(sb);
        return sb.toString();
    }

    @Test
    void everyExpressionParses() throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: lyre-dashboard\n    rules:\n");
        List<String> keys = new ArrayList<>(EXPRESSIONS.keySet());
        for (int i = 0; i < keys.size(); i++) {
            rules.append("      # ").append(keys.get(i).replaceAll("[\\r\\n]", " ")).append('\n')
                    .append("      - record: lyre_dashboard:expr_").append(i).append('\n')
                    .append("        expr: |-\n");
            for (String line : EXPRESSIONS.get(keys.get(i)).split("\n")) {
                rules.append("          ").append(line).append('\n');
            }
        }
        Path file = tmp.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Promtool.Result r = Promtool.run(null, "check", "rules", file.toString());
        assertThat(r.exitCode()).as("promtool check rules on the dashboard's expressions:\n" + r.output() + "\n" + rules).isZero();
        assertThat(r.output()).contains("SUCCESS: " + keys.size() + " rules found");
    }

    @Test
    void everyExpressionNamesOnlyContractedSeries() {
        Map<String, String> series = MetricsContract.seriesNames();
        assertThat(series).as("tables of docs/metrics.md").isNotEmpty();
        Set<String> used = new TreeSet<>();
        EXPRESSIONS.forEach((where, expr) -> {
            Set<String> names = PromQlMetricNames.of(expr);
            assertThat(names).as(where + ": names a metric").isNotEmpty();
            assertThat(series.keySet()).as(where + ": " + expr).containsAll(names);
            names.forEach(n -> used.add(series.get(n)));
        });
        // the dashboard shows every proxy metric of the contract
        assertThat(used).containsAll(MetricsContract.section("Proxy").keySet());
    }

    @Test
    void metricNameExtraction() {
        assertThat(PromQlMetricNames.of("histogram_quantile(0.95, sum by (app, le) (rate(lyre_x_bucket{app=~\"a|b\", status_class=\"5xx\"}[5m])))"))
                .containsExactly("lyre_x_bucket");
        assertThat(PromQlMetricNames.of("sum(a) / on (host) group_left(model) b offset 5m > bool 1e3 unless {__name__=\"c\"}"))
                .containsExactly("a", "b", "c");
    }

    @Test
    void scrapeConfigIsValid() throws Exception {
        Promtool.Result r = Promtool.run(null, "check", "config", GRAFANA.resolve("prometheus.yml").toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
