package io.lyre.tunnel.server;

import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-time join token, kubeadm/k3s style: {@code LYRE1::sha256:<ca fingerprint>::<id>.<secret>}.
 * The fingerprint lets the agent check the proxy before it trusts anything; the id names the stored
 * (hashed) token; the secret proves the holder was given it.
 */
public record JoinToken(String caFingerprint, String id, String secret) {

    private static final Pattern FORMAT =
            Pattern.compile("LYRE1::sha256:([0-9a-f]{64})::([a-z0-9]{8})\\.([a-z0-9]{32})");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static JoinToken generate(String caFingerprint) {
        return new JoinToken(caFingerprint.toLowerCase(), random(8), random(32));
    }

    /** Parses a token string; throws IllegalArgumentException (without echoing the secret) when malformed. */
    public static JoinToken parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed join token (expected LYRE1::sha256:<64 hex>::<id>.<secret>)");
        }
        return new JoinToken(m.group(1), m.group(2), m.group(3));
    }

    @Override
    public String toString() {
        return "LYRE1::sha256:" + caFingerprint + "::" + id + "." + secret;
    }

    private static String random(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
