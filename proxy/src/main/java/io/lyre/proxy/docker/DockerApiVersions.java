package io.lyre.proxy.docker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AppAPI asks for /v1.44/... (Docker 29 needs it); older engines (here dockerd 20.10, API 1.41) refuse a
 * version above their own. Each engine's maximum is read once from its /version and the caller's version is
 * lowered to it; a version the engine speaks is left alone.
 */
public final class DockerApiVersions {
    private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)?$");

    private final Map<Engine, String> maxByEngine = new ConcurrentHashMap<>();

    /** The engine's highest API version ("1.41"); asks the engine the first time. Blocking. */
    public String maxVersion(Engine engine) {
        String known = maxByEngine.get(engine);
        if (known != null) {
            return known;
        }
        DockerReply reply = new DockerEngineApi(engine).get("/version");
        String v = reply.ok() ? reply.json().getString("ApiVersion") : null;
        if (v == null || !v.matches("\\d+\\.\\d+")) {
            return null; // unknown: pass the caller's version through unchanged; ask again next time
        }
        maxByEngine.put(engine, v);
        return v;
    }

    public void forget(Engine engine) {
        maxByEngine.remove(engine);
    }

    /** Rewrites "/v1.44/x" to "/v1.41/x" when the engine's maximum is 1.41. Blocking on the first call. */
    public String rewrite(Engine engine, String path) {
        Matcher m = VERSIONED.matcher(path);
        if (!m.matches()) {
            return path;
        }
        String max = maxVersion(engine);
        return max == null ? path : lower(path, m, max);
    }

    static String rewrite(String path, String engineMax) {
        Matcher m = VERSIONED.matcher(path);
        return m.matches() ? lower(path, m, engineMax) : path;
    }

    private static String lower(String path, Matcher m, String max) {
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        String[] mx = max.split("\\.");
        int maxMajor = Integer.parseInt(mx[0]);
        int maxMinor = Integer.parseInt(mx[1]);
        if (major < maxMajor || (major == maxMajor && minor <= maxMinor)) {
            return path;
        }
        return "/v" + max + (m.group(3) == null ? "" : m.group(3));
    }
}
