package io.lyre.proxy.docker;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HaRP's allow-list for the raw Docker passthrough (harp.md §1.5): case-insensitive regexes on the
 * URL-decoded path; anything else is denied with 403. Container create/start/remove never go raw: they go
 * through /docker/exapp/*.
 */
public final class DockerApiAllowList {
    private record Rule(String method, Pattern path) {
    }

    private static final String V = "^(/v[\\d.]+)?";
    private static final List<Rule> RULES = List.of(
            new Rule("GET", Pattern.compile(V + "/_ping$", Pattern.CASE_INSENSITIVE)),
            new Rule("GET", Pattern.compile(V + "/images/.*/json", Pattern.CASE_INSENSITIVE)),
            new Rule("GET", Pattern.compile(V + "/containers/nc_app_[a-zA-Z0-9_.-]+/json", Pattern.CASE_INSENSITIVE)),
            new Rule("GET", Pattern.compile(V + "/containers/nc_app_[a-zA-Z0-9_.-]+/logs", Pattern.CASE_INSENSITIVE)),
            new Rule("POST", Pattern.compile(V + "/images/create", Pattern.CASE_INSENSITIVE)));
    private static final Pattern CONTAINER = Pattern.compile(V + "/containers/nc_app_([a-zA-Z0-9_.-]+)/", Pattern.CASE_INSENSITIVE);

    private DockerApiAllowList() {
    }

    public static boolean allows(String method, String rawPath) {
        String path = decode(rawPath);
        return RULES.stream().anyMatch(r -> r.method.equalsIgnoreCase(method) && r.path.matcher(path).find());
    }

    /** "nc_app_foo" container paths name the app "foo" (AppAPI's instance_id is always empty). */
    public static java.util.Optional<String> containerApp(String rawPath) {
        var m = CONTAINER.matcher(decode(rawPath));
        return m.find() ? java.util.Optional.of(m.group(2)) : java.util.Optional.empty();
    }

    public static boolean isPull(String method, String rawPath) {
        return method.equalsIgnoreCase("POST") && decode(rawPath).matches("(?i)^(/v[\\d.]+)?/images/create.*");
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
