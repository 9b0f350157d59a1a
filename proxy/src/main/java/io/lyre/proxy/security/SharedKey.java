package io.lyre.proxy.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** HP_SHARED_KEY, compared in constant time (HaRP compares with ==, harp.md §6.11). */
public final class SharedKey {
    private final byte[] key;

    public SharedKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }

    public String value() {
        return new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SharedKey[***]";
    }
}
