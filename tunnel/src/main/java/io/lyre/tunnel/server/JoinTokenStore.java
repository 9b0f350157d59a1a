package io.lyre.tunnel.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lyre.tunnel.AtomicFiles;
import io.lyre.tunnel.pki.Fingerprints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Join tokens, stored hashed in {@code tokens.json} (0600) in the proxy data dir. Single use, with an
 * expiry. Re-read on every operation, so a {@code token create} from the command line is seen by a
 * running server.
 */
public final class JoinTokenStore {

    /** How a token was judged. Only OK lets a join proceed. */
    public enum Verdict { OK, UNKNOWN, EXPIRED, USED, WRONG_SECRET }

    /** One stored token: the secret only as SHA-256. */
    public record StoredToken(String id, String secretSha256, long createdAtMillis, long expiresAtMillis,
                              long usedAtMillis, String usedBy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final Clock clock;

    public JoinTokenStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    public synchronized JoinToken create(String caFingerprint, Duration ttl) {
        JoinToken token = JoinToken.generate(caFingerprint);
        List<StoredToken> all = new ArrayList<>(load());
        long now = clock.millis();
        // Forget tokens that expired long ago so the file does not grow forever.
        all.removeIf(t -> t.expiresAtMillis() < now - Duration.ofDays(7).toMillis());
        all.add(new StoredToken(token.id(), hash(token.secret()), now, now + ttl.toMillis(), 0, null));
        save(all);
        return token;
    }

    /** Checks a token and, when it is good, marks it used by {@code agentId} in the same step. */
    public synchronized Verdict consume(JoinToken token, String agentId) {
        List<StoredToken> all = new ArrayList<>(load());
        for (int i = 0; i < all.size(); i++) {
            StoredToken t = all.get(i);
            if (!t.id().equals(token.id())) {
                continue;
            }
            if (!MessageDigest.isEqual(t.secretSha256().getBytes(StandardCharsets.US_ASCII),
                    hash(token.secret()).getBytes(StandardCharsets.US_ASCII))) {
                return Verdict.WRONG_SECRET;
            }
            if (t.usedAtMillis() != 0) {
                return Verdict.USED;
            }
            long now = clock.millis();
            if (now > t.expiresAtMillis()) {
                return Verdict.EXPIRED;
            }
            all.set(i, new StoredToken(t.id(), t.secretSha256(), t.createdAtMillis(), t.expiresAtMillis(), now, agentId));
            save(all);
            return Verdict.OK;
        }
        return Verdict.UNKNOWN;
    }

    public synchronized List<StoredToken> list() {
        return load();
    }

    private List<StoredToken> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<StoredToken>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void save(List<StoredToken> all) {
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String hash(String secret) {
        return Fingerprints.sha256(secret.getBytes(StandardCharsets.US_ASCII));
    }
}
