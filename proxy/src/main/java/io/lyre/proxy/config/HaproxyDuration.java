package io.lyre.proxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's time format, because HP_TIMEOUT_* values are written for HAProxy: a number and an optional
 * unit (us, ms, s, m, h, d); no unit means milliseconds.
 */
public final class HaproxyDuration {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(us|ms|s|m|h|d)?");

    private HaproxyDuration() {
    }

    public static Duration parse(String variable, String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidSettingException(variable,
                    "'" + text + "' is not an HAProxy duration (a number with an optional unit us, ms, s, m, h or d)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(variable, "'" + text + "' is too large");
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
