package io.lyre.proxy.security;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Paths with a ".." segment, literal or percent-encoded (%2e, %2f, %5c, any case, also double-encoded), are
 * refused before anything else looks at them (harp.md §2.1 step 3).
 */
public final class DotDotPath {
    private static final Pattern DOT_DOT_SEGMENT = Pattern.compile("(^|[/\\\\])\\.\\.([/\\\\]|$)");

    private DotDotPath() {
    }

    public static boolean contains(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        String p = rawPath;
        for (int round = 0; round < 3; round++) { // %252e -> %2e -> .
            String lower = p.toLowerCase(Locale.ROOT);
            String decoded = lower.replace("%2e", ".").replace("%2f", "/").replace("%5c", "\\");
            if (DOT_DOT_SEGMENT.matcher(decoded).find()) {
                return true;
            }
            String next = lower.replace("%25", "%");
            if (next.equals(lower)) {
                return false;
            }
            p = next;
        }
        return false;
    }
}
