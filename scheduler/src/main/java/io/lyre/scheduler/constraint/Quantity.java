package io.lyre.scheduler.constraint;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Numbers with optional size units: "20 GiB", "512MiB", "80GB", "1.5", "4096". Units are case-insensitive. */
public final class Quantity {

    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)");
    private static final Map<String, Double> UNITS = Map.ofEntries(
            Map.entry("", 1d), Map.entry("b", 1d),
            Map.entry("k", 1e3), Map.entry("kb", 1e3), Map.entry("m", 1e6), Map.entry("mb", 1e6),
            Map.entry("g", 1e9), Map.entry("gb", 1e9), Map.entry("t", 1e12), Map.entry("tb", 1e12),
            Map.entry("ki", 1024d), Map.entry("kib", 1024d), Map.entry("mi", 1048576d), Map.entry("mib", 1048576d),
            Map.entry("gi", 1073741824d), Map.entry("gib", 1073741824d),
            Map.entry("ti", 1099511627776d), Map.entry("tib", 1099511627776d));

    private Quantity() {
    }

    /** The value in base units (bytes for sizes); NaN when the text is not a number with a known unit. */
    public static double parse(String text) {
        if (text == null || text.isEmpty() || !Character.isDigit(text.charAt(0))) {
            return Double.NaN;
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Double.NaN;
        }
        Double unit = UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
        return unit == null ? Double.NaN : Double.parseDouble(m.group(1)) * unit;
    }

    /** Like {@link #parse}, as whole bytes; -1 when it is no size. */
    public static long bytes(String text) {
        double v = parse(text);
        return Double.isNaN(v) ? -1 : Math.round(v);
    }

    /** "20 GiB", "512 MiB", "1.5 GiB", "100 B": for reasons and explain output. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /** Milli-cores as "2", "0.5", "1.25" cores. */
    public static String cores(long milliCores) {
        return milliCores % 1000 == 0 ? Long.toString(milliCores / 1000)
                : String.format(Locale.ROOT, "%.3f", milliCores / 1000d).replaceAll("0+$", "");
    }
}
