package io.lyre.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which targets the agent relays to: loopback, or an address on one of its Docker networks (IPAM subnets).
 * Anything else the proxy names is refused, so a proxy (or whoever holds it) cannot use the agent to reach
 * the agent's LAN. The subnets are re-read at most every few seconds, and once more on a miss, so a network
 * created a moment ago is known.
 */
final class RelayPolicy {

    /** A target the policy refuses; the message says why. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private static final long REFRESH_NANOS = 10_000_000_000L;
    private static final long MISS_REFRESH_NANOS = 1_000_000_000L;

    private final Supplier<List<Cidr>> subnets;
    private volatile List<Cidr> cached = List.of();
    private volatile long loadedAt = Long.MIN_VALUE / 2;

    RelayPolicy(Supplier<List<Cidr>> subnets) {
        this.subnets = subnets;
    }

    /**
     * The address to connect to when that can be decided without blocking: an IP literal that is loopback or
     * on a Docker network known from a fresh cache. Null otherwise (a name, a stale cache, a miss, a refusal):
     * then call {@link #check(String)} off the transport thread.
     */
    InetAddress checkWithoutBlocking(String host) {
        if (!isIpLiteral(host)) {
            return null;
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(host); // a literal: parsed, no lookup
        } catch (UnknownHostException e) {
            return null;
        }
        if (a.isLoopbackAddress()) {
            return a;
        }
        if (System.nanoTime() - loadedAt > REFRESH_NANOS) {
            return null;
        }
        for (Cidr c : cached) {
            if (c.contains(a)) {
                return a;
            }
        }
        return null;
    }

    /** True for an IPv4 dotted quad or an IPv6 literal (with or without brackets): nothing to resolve. */
    static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.' && c != '[' && c != ']') {
                    return false;
                }
            }
            return true;
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    /** Resolves {@code host} and returns the address to connect to; blocks on DNS for names. */
    InetAddress check(String host) throws Refused {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("cannot resolve " + host);
        }
        for (InetAddress a : all) {
            if (allowed(a, false)) {
                return a;
            }
        }
        for (InetAddress a : all) {
            if (allowed(a, true)) {
                return a;
            }
        }
        throw new Refused("relay policy: " + host + " is neither loopback nor on one of this agent's Docker networks");
    }

    private boolean allowed(InetAddress a, boolean afterMiss) {
        if (a.isLoopbackAddress()) {
            return true;
        }
        for (Cidr c : subnets(afterMiss)) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private synchronized List<Cidr> subnets(boolean afterMiss) {
        long now = System.nanoTime();
        long maxAge = afterMiss ? MISS_REFRESH_NANOS : REFRESH_NANOS;
        if (now - loadedAt > maxAge) {
            try {
                cached = List.copyOf(subnets.get());
            } catch (RuntimeException e) {
                cached = List.of(); // no engine: loopback only
            }
            loadedAt = now;
        }
        return cached;
    }
}
