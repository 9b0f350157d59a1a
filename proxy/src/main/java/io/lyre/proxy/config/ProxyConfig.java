package io.lyre.proxy.config;

import io.lyre.proxy.security.TrustedProxies;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the proxy is configured with, built from environment variables so that a {@code docker run}
 * line written for HaRP starts Lyre unchanged. HaRP's names and validation (harp.md §1.3-1.4); Lyre's own
 * settings are LYRE_*. {@link #fromEnv(Map)} takes a plain map so the validation is unit-testable.
 *
 * @param warnings problems that HaRP logs and survives (invalid trusted-proxy entries, unknown log level)
 */
public record ProxyConfig(
        String sharedKey,
        String nextcloudUrl,
        HostPort exappsAddress,
        HostPort exappsHttpsAddress,
        Optional<TlsFiles> tls,
        Timeouts timeouts,
        TrustedProxies trustedProxies,
        int blacklistCount,
        Duration blacklistWindow,
        Duration sessionLifetime,
        String logLevel,
        Optional<String> localDocker,
        int localDockerSlot,
        Duration dockerTimeout,
        int maxHeaderSize,
        List<String> warnings) {

    /** HaRP's HP_TIMEOUT_* (HAProxy timeout connect/client/server/tunnel). */
    public record Timeouts(Duration connect, Duration client, Duration server, Duration tunnel) {
    }

    /** The HTTPS front door's certificate and key (PEM; both may be the same combined file as HaRP's cert.pem). */
    public record TlsFiles(Path cert, Path key) {
    }

    public static final String DEFAULT_LOCAL_DOCKER = "unix:///var/run/docker.sock";
    /** HaRP's bundled engine answers 24000; Lyre's 24000 means "let the scheduler choose", so the local engine gets a slot of its own. */
    public static final int DEFAULT_LOCAL_DOCKER_SLOT = 24001;
    private static final Path HARP_CERT = Path.of("/certs/cert.pem");

    public static ProxyConfig fromEnv(Map<String, String> env) {
        List<String> warnings = new ArrayList<>();
        String key = sharedKey(env);
        String ncUrl = nextcloudUrl(env);
        HostPort http = HostPort.parse("HP_EXAPPS_ADDRESS", stripQuotes(get(env, "HP_EXAPPS_ADDRESS", "0.0.0.0:8780")));
        HostPort https = HostPort.parse("HP_EXAPPS_HTTPS_ADDRESS",
                stripQuotes(get(env, "HP_EXAPPS_HTTPS_ADDRESS", "0.0.0.0:8781")));
        Optional<TlsFiles> tls = tls(env);

        Duration connect = HaproxyDuration.parse("HP_TIMEOUT_CONNECT", get(env, "HP_TIMEOUT_CONNECT", "30s"));
        Duration client = HaproxyDuration.parse("HP_TIMEOUT_CLIENT", get(env, "HP_TIMEOUT_CLIENT", "30s"));
        String serverText = get(env, "HP_TIMEOUT_SERVER", "1800s");
        Duration server = HaproxyDuration.parse("HP_TIMEOUT_SERVER", serverText);
        Duration tunnel = HaproxyDuration.parse("HP_TIMEOUT_TUNNEL", get(env, "HP_TIMEOUT_TUNNEL", serverText));
        if (tunnel.isZero()) {
            tunnel = Duration.ofDays(24); // start.sh: "0" in any unit means HAProxy's maximum, 24d
        }
        positive("HP_TIMEOUT_CONNECT", connect);
        positive("HP_TIMEOUT_CLIENT", client);
        positive("HP_TIMEOUT_SERVER", server);

        TrustedProxies trusted = TrustedProxies.parse(env.get("HP_TRUSTED_PROXY_IPS"), warnings);
        int count = integer(env, "HP_BLACKLIST_COUNT", 10, 1, Integer.MAX_VALUE);
        int window = integer(env, "HP_BLACKLIST_WINDOW", 300, 1, Integer.MAX_VALUE);
        Duration session = sessionLifetime(env);
        String level = logLevel(env, warnings);

        String dockerText = get(env, "LYRE_LOCAL_DOCKER", DEFAULT_LOCAL_DOCKER).trim();
        Optional<String> localDocker = dockerText.isEmpty() || dockerText.equalsIgnoreCase("none")
                ? Optional.empty() : Optional.of(dockerText);
        if (localDocker.isPresent() && !localDocker.get().matches("(unix|tcp)://.+")) {
            throw new InvalidSettingException("LYRE_LOCAL_DOCKER",
                    "'" + dockerText + "' is not unix:///path, tcp://host:port or none");
        }
        int slot = integer(env, "LYRE_LOCAL_DOCKER_SLOT", DEFAULT_LOCAL_DOCKER_SLOT, 24001, 24099);
        Duration dockerTimeout = HaproxyDuration.parse("LYRE_DOCKER_TIMEOUT", get(env, "LYRE_DOCKER_TIMEOUT", "180s"));
        positive("LYRE_DOCKER_TIMEOUT", dockerTimeout);
        int maxHeader = integer(env, "LYRE_MAX_HEADER_SIZE", 16384, 1024, 1 << 20);

        return new ProxyConfig(key, ncUrl, http, https, tls, new Timeouts(connect, client, server, tunnel), trusted,
                count, Duration.ofSeconds(window), session, level, localDocker, slot, dockerTimeout, maxHeader,
                List.copyOf(warnings));
    }

    private static String get(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** start.sh strips one pair of surrounding quotes from some values (nextcloud/HaRP#73). */
    static String stripQuotes(String v) {
        String t = v.trim();
        if (t.length() >= 2 && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    private static String sharedKey(Map<String, String> env) {
        String inline = env.get("HP_SHARED_KEY");
        String file = env.get("HP_SHARED_KEY_FILE");
        boolean hasInline = inline != null && !inline.isEmpty();
        boolean hasFile = file != null && !file.isEmpty();
        if (hasInline && hasFile) {
            throw new InvalidSettingException("HP_SHARED_KEY", "set either HP_SHARED_KEY or HP_SHARED_KEY_FILE, not both");
        }
        if (!hasInline && !hasFile) {
            throw new InvalidSettingException("HP_SHARED_KEY", "one of HP_SHARED_KEY or HP_SHARED_KEY_FILE is required");
        }
        String variable = hasInline ? "HP_SHARED_KEY" : "HP_SHARED_KEY_FILE";
        String key;
        if (hasInline) {
            key = inline;
        } else {
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new InvalidSettingException(variable, "file '" + file + "' does not exist");
            }
            try {
                // like $(cat file): trailing newlines are not part of the key
                key = Files.readString(path, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new InvalidSettingException(variable, "cannot read '" + file + "': " + e.getMessage());
            }
            if (key.isEmpty()) {
                throw new InvalidSettingException(variable, "file '" + file + "' is empty");
            }
        }
        key = stripQuotes(key);
        if (key.isEmpty()) {
            throw new InvalidSettingException(variable, "the shared key is empty");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new InvalidSettingException(variable, "the shared key must be printable ASCII (0x20-0x7E)");
            }
            if (c == '"' || c == '\\') {
                throw new InvalidSettingException(variable, "the shared key must not contain \" or \\");
            }
        }
        return key;
    }

    private static String nextcloudUrl(Map<String, String> env) {
        String raw = env.get("NC_INSTANCE_URL");
        if (raw == null || stripQuotes(raw).isEmpty()) {
            throw new InvalidSettingException("NC_INSTANCE_URL", "is required (the Nextcloud base URL, e.g. http://nextcloud)");
        }
        String url = stripQuotes(raw);
        // start.sh / haproxy_agent.py: trailing "/" and "/index.php" are stripped
        boolean changed = true;
        while (changed) {
            changed = false;
            if (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
                changed = true;
            }
            if (url.endsWith("/index.php")) {
                url = url.substring(0, url.length() - "/index.php".length());
                changed = true;
            }
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new InvalidSettingException("NC_INSTANCE_URL", "'" + raw + "' is not an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new InvalidSettingException("NC_INSTANCE_URL", "'" + raw + "' is not a URL: " + e.getMessage());
        }
        return url;
    }

    private static Optional<TlsFiles> tls(Map<String, String> env) {
        String cert = env.get("LYRE_TLS_CERT");
        String key = env.get("LYRE_TLS_KEY");
        if (cert == null || cert.isEmpty()) {
            if (key != null && !key.isEmpty()) {
                throw new InvalidSettingException("LYRE_TLS_KEY", "is set but LYRE_TLS_CERT is not");
            }
            // HaRP enables its HTTPS frontend when /certs/cert.pem exists (a combined cert + key PEM)
            return Files.isRegularFile(HARP_CERT) ? Optional.of(new TlsFiles(HARP_CERT, HARP_CERT)) : Optional.empty();
        }
        Path c = Path.of(cert);
        Path k = key == null || key.isEmpty() ? c : Path.of(key);
        if (!Files.isRegularFile(c)) {
            throw new InvalidSettingException("LYRE_TLS_CERT", "file '" + cert + "' does not exist");
        }
        if (!Files.isRegularFile(k)) {
            throw new InvalidSettingException("LYRE_TLS_KEY", "file '" + k + "' does not exist");
        }
        return Optional.of(new TlsFiles(c, k));
    }

    private static void positive(String variable, Duration d) {
        if (d.isZero()) {
            throw new InvalidSettingException(variable, "must be greater than 0");
        }
    }

    private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        int v;
        try {
            v = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name, "'" + raw + "' is not an integer");
        }
        if (v < min || v > max) {
            throw new InvalidSettingException(name, v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static Duration sessionLifetime(Map<String, String> env) {
        String raw = env.get("HP_SESSION_LIFETIME");
        if (raw == null || raw.isBlank()) {
            return Duration.ofSeconds(3);
        }
        double seconds;
        try {
            seconds = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("HP_SESSION_LIFETIME", "'" + raw + "' is not a number of seconds");
        }
        if (!(seconds >= 0 && seconds <= 10)) {
            throw new InvalidSettingException("HP_SESSION_LIFETIME", raw + " is outside 0..10 seconds");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static String logLevel(Map<String, String> env, List<String> warnings) {
        String raw = get(env, "HP_LOG_LEVEL", "warning").trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "debug", "info", "warning", "error" -> raw;
            default -> {
                warnings.add("HP_LOG_LEVEL: unknown level '" + raw + "', using warning");
                yield "warning";
            }
        };
    }

    /** Safe for logs: the shared key is never printed. */
    @Override
    public String toString() {
        return "ProxyConfig[nextcloudUrl=" + nextcloudUrl + ", exappsAddress=" + exappsAddress + ", https="
                + tls.map(t -> exappsHttpsAddress.toString()).orElse("off") + ", timeouts=" + timeouts
                + ", trustedProxies=" + trustedProxies.networks() + ", blacklist=" + blacklistCount + "/"
                + blacklistWindow + ", sessionLifetime=" + sessionLifetime + ", logLevel=" + logLevel
                + ", localDocker=" + localDocker.orElse("none") + "@" + localDockerSlot + "]";
    }
}
