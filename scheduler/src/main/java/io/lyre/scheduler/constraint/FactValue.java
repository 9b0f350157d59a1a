package io.lyre.scheduler.constraint;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One fact (a device attribute, an engine label, a constraint operand) parsed once into every form a
 * comparison may need, so that the scheduler's hot loop compares numbers instead of re-parsing strings.
 *
 * @param text    the value as written (vendor facts hold the canonical vendor key)
 * @param number  the value as a number, sizes in bytes ("20 GiB" = 21474836480); NaN when it is none
 * @param version the parts of a dotted version ("8.6" = [8, 6]); null when the text is not dotted digits
 */
public record FactValue(String text, double number, long[] version) {

    private static final Pattern DOTTED = Pattern.compile("\\d+(\\.\\d+)+");

    public static FactValue of(String text) {
        String t = text == null ? "" : text.trim();
        return new FactValue(t, Quantity.parse(t), DOTTED.matcher(t).matches() ? versionParts(t) : null);
    }

    public static FactValue ofNumber(long value) {
        return new FactValue(Long.toString(value), value, null);
    }

    public boolean isNumeric() {
        return !Double.isNaN(number);
    }

    /** A plain text fact with no numeric reading, used for canonical vendor keys and kinds. */
    public static FactValue ofText(String text) {
        return new FactValue(text, Double.NaN, null);
    }

    /**
     * Orders this fact against an operand: version-aware when either side is dotted ("8.0" < "12.0",
     * "8.10" > "8.9"), numeric otherwise. Returns {@link Integer#MIN_VALUE} when the two do not compare.
     */
    public int compareTo(FactValue operand) {
        if (version != null || operand.version != null) {
            long[] mine = version != null ? version : integral(number);
            long[] theirs = operand.version != null ? operand.version : integral(operand.number);
            if (mine != null && theirs != null) {
                return compareVersions(mine, theirs);
            }
        }
        if (isNumeric() && operand.isNumeric()) {
            return Double.compare(number, operand.number);
        }
        return Integer.MIN_VALUE;
    }

    /** Equality: numeric or version-aware when both sides read so, else case-insensitive text. */
    public boolean sameAs(FactValue operand) {
        int c = compareTo(operand);
        if (c != Integer.MIN_VALUE) {
            return c == 0;
        }
        return text.equalsIgnoreCase(operand.text);
    }

    private static long[] integral(double n) {
        return !Double.isNaN(n) && n == Math.rint(n) && n >= 0 ? new long[] {(long) n} : null;
    }

    private static long[] versionParts(String t) {
        String[] parts = t.split("\\.");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    // Missing trailing parts count as zero, so "8" == "8.0".
    private static int compareVersions(long[] a, long[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            long x = i < a.length ? a[i] : 0;
            long y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Long.compare(x, y);
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FactValue f && f.text.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT));
    }

    @Override
    public int hashCode() {
        return text.toLowerCase(Locale.ROOT).hashCode();
    }
}
