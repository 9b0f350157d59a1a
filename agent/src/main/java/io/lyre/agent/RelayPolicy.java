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
    private List<Cidr> cached = List.of();
    private long loadedAt = Long.MIN_VALUE / 2;

    RelayPolicy(Supplier<List<Cidr>> subnets) {
        this.subnets = subnets;
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
