package io.lyre.proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Lyre's own settings beyond HaRP's: where agents dial in and where the proxy keeps its state.
 *
 * @param tunnelAddress LYRE_TUNNEL_ADDRESS, host:port of the tunnel listener (0.0.0.0:8782); "off" disables it
 * @param dataDir       LYRE_DATA_DIR (~/.lyre/proxy): CA, agents.json, tokens.json, the H2 store
 * @param agentGrace    LYRE_AGENT_GRACE (30s): how long a disconnected engine keeps its apps before it is lost
 * @param storeUrl      LYRE_STORE_URL: a JDBC URL (jdbc:postgresql://...) instead of the H2 file in the data dir
 * @param storeUser     LYRE_STORE_USER
 * @param storePassword LYRE_STORE_PASSWORD
 * @param policies      LYRE_POLICIES: a JSON file or a directory of them with placement policies loaded at start
 * @param receiveBudgetBytes LYRE_TUNNEL_RECEIVE_BUDGET_MIB: what exchanges with stalled readers may hold together
 *                      before they are dropped (default: a quarter of the heap, at least 64 MiB)
 */
public record LyreSettings(Optional<HostPort> tunnelAddress, Path dataDir, Duration agentGrace, Optional<String> storeUrl,
                           Optional<String> storeUser, Optional<String> storePassword, Optional<Path> policies,
                           Optional<Long> receiveBudgetBytes) {

    /** Largest LYRE_TUNNEL_RECEIVE_BUDGET_MIB: 1 TiB, far past any heap. */
    static final long MAX_RECEIVE_BUDGET_MIB = 1L << 20;

    public static LyreSettings fromEnv(Map<String, String> env) {
        String tunnel = env.getOrDefault("LYRE_TUNNEL_ADDRESS", "0.0.0.0:8782").trim();
        Optional<HostPort> address;
        if (tunnel.equalsIgnoreCase("off") || tunnel.equalsIgnoreCase("none")) {
            address = Optional.empty();
        } else {
            address = Optional.of(HostPort.parse("LYRE_TUNNEL_ADDRESS", tunnel));
        }
        String dir = env.get("LYRE_DATA_DIR");
        Path dataDir = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".lyre", "proxy");
        Duration grace = Duration.ofSeconds(30);
        String g = env.get("LYRE_AGENT_GRACE");
        if (g != null && !g.isBlank()) {
            grace = g.trim().matches("\\d+") ? Duration.ofSeconds(Long.parseLong(g.trim()))
                    : HaproxyDuration.parse("LYRE_AGENT_GRACE", g.trim());
        }
        return new LyreSettings(address, dataDir, grace, nonBlank(env.get("LYRE_STORE_URL")), nonBlank(env.get("LYRE_STORE_USER")),
                nonBlank(env.get("LYRE_STORE_PASSWORD")), nonBlank(env.get("LYRE_POLICIES")).map(Path::of),
                nonBlank(env.get("LYRE_TUNNEL_RECEIVE_BUDGET_MIB")).map(LyreSettings::receiveBudget));
    }

    private static long receiveBudget(String mib) {
        long n;
        try {
            n = Long.parseLong(mib);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("LYRE_TUNNEL_RECEIVE_BUDGET_MIB", "'" + mib + "' is not a whole number of MiB");
        }
        if (n < 1 || n > MAX_RECEIVE_BUDGET_MIB) {
            throw new InvalidSettingException("LYRE_TUNNEL_RECEIVE_BUDGET_MIB",
                    "must be between 1 and " + MAX_RECEIVE_BUDGET_MIB + " MiB, not " + n);
        }
        return n << 20;
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
