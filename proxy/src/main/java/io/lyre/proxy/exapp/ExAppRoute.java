package io.lyre.proxy.exapp;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One route of an ExApp: a regex matched against the path after /exapps/&lt;app&gt; the way Python's
 * {@code re.match} does (anchored at the start only), the access level it needs, and the response
 * statuses that count as brute-force failures.
 */
public record ExAppRoute(String url, AccessLevel accessLevel, List<Integer> bruteforceProtection,
                         Optional<Pattern> pattern) {

    public static ExAppRoute of(String url, AccessLevel level, List<Integer> bruteforceProtection) {
        return new ExAppRoute(url, level, List.copyOf(bruteforceProtection), compile(url));
    }

    /** Python named groups (?P<n>..) and back-references (?P=n) are spelled differently in Java. */
    private static Optional<Pattern> compile(String url) {
        String java = url.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
        try {
            return Optional.of(Pattern.compile(java));
        } catch (PatternSyntaxException e) {
            return Optional.empty(); // HaRP logs and skips an invalid regex; so does the router
        }
    }

    public boolean matches(String targetPath) {
        return pattern.map(p -> p.matcher(targetPath).lookingAt()).orElse(false);
    }

    public boolean valid() {
        return pattern.isPresent();
    }
}
