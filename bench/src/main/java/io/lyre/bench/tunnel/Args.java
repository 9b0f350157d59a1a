package io.lyre.bench.tunnel;

import java.util.HashMap;
import java.util.Map;

/** {@code --key=value} options of the tunnel benchmark commands. */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("option --key=value expected, got " + a);
            }
            values.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
    }

    String str(String key, String def) {
        String v = values.get(key);
        if (v == null && def == null) {
            throw new IllegalArgumentException("--" + key + "=... is required");
        }
        return v != null ? v : def;
    }

    int integer(String key, int def) {
        return Integer.parseInt(str(key, Integer.toString(def)));
    }

    long lng(String key, long def) {
        return Long.parseLong(str(key, Long.toString(def)));
    }
}
