package io.lyre.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --key=value} options of the benchmark commands (after the command name). */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("option --key=value expected, got " + a);
            }
            values.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
    }

    public String str(String key, String def) {
        String v = values.get(key);
        if (v == null && def == null) {
            throw new IllegalArgumentException("--" + key + "=... is required");
        }
        return v != null ? v : def;
    }

    public int integer(String key, int def) {
        return Integer.parseInt(str(key, Integer.toString(def)));
    }

    public long lng(String key, long def) {
        return Long.parseLong(str(key, Long.toString(def)));
    }

    public double dbl(String key, double def) {
        return Double.parseDouble(str(key, Double.toString(def)));
    }
}
