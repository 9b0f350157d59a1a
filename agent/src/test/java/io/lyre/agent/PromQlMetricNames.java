package io.lyre.agent;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects, for the tests that hold dashboards and queries to the metrics
 * contract (this module's and the proxy's): what is left after Grafana variables, strings, matchers, ranges, label
 * lists, function calls and keywords go.
 */
public final class PromQlMetricNames {

    private static final Set<String> WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2", "start", "end", "label_values");

    private PromQlMetricNames() {
    }

    public static Set<String> of(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher byName = Pattern.compile("__name__\\s*=\\s*\"([^\"]+)\"").matcher(expr);
        while (byName.find()) {
            names.add(byName.group(1));
        }
        String s = expr.replaceAll("\\$\\{[^}]*}|\\$[a-zA-Z0-9_]+", "x")
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\b[a-zA-Z_][a-zA-Z0-9_]*\\s*\\(", "(");
        // a word after a digit or a dot is a duration ("5m" after offset) or an exponent, not a name
        Matcher m = Pattern.compile("(?<![0-9.])\\b[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String w = m.group();
            if (!WORDS.contains(w.toLowerCase(Locale.ROOT)) && !w.matches("(?i)e\\d*")) {
                names.add(w);
            }
        }
        return names;
    }
}
