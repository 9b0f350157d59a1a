package io.lyre.proxy.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HP_TRUSTED_PROXY_IPS: the reverse proxies whose X-Forwarded-For / X-Real-IP we believe. Parsed as HaRP's
 * {@code _parse_trusted_proxies}: quotes (typographic ones too) stripped, host bits masked, invalid entries
 * skipped and reported.
 */
public final class TrustedProxies {
    private static final Pattern QUOTES = Pattern.compile("[\"'\u201c\u201d\u2018\u2019]");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    /** One network: address bytes with host bits cleared, and the prefix length. */
    public record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final List<Cidr> networks;

    private TrustedProxies(List<Cidr> networks) {
        this.networks = List.copyOf(networks);
    }

    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    /** Parses the variable; each invalid entry adds a line to {@code warnings} and is skipped. */
    public static TrustedProxies parse(String raw, List<String> warnings) {
        List<Cidr> out = new ArrayList<>();
        if (raw == null) {
            return none();
        }
        for (String part : QUOTES.matcher(raw).replaceAll("").split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            Cidr cidr = parseCidr(entry);
            if (cidr == null) {
                warnings.add("HP_TRUSTED_PROXY_IPS: skipping invalid entry '" + entry + "'");
            } else {
                out.add(cidr);
            }
        }
        return new TrustedProxies(out);
    }

    private static Cidr parseCidr(String entry) {
        String[] pieces = entry.split("/", -1);
        if (pieces.length > 2 || !IP_LITERAL.matcher(pieces[0]).matches()) {
            return null; // no DNS lookups for a config value
        }
        byte[] address;
        try {
            address = InetAddress.getByName(pieces[0]).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
        int max = address.length * 8;
        int prefix = max;
        if (pieces.length == 2) {
            try {
                prefix = Integer.parseInt(pieces[1]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > max) {
                return null;
            }
        }
        byte[] network = address.clone();
        for (int bit = prefix; bit < max; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        return new Cidr(network, prefix);
    }

    public List<Cidr> networks() {
        return networks;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    public boolean trusts(String peerIp) {
        if (networks.isEmpty() || peerIp == null || !IP_LITERAL.matcher(peerIp).matches()) {
            return false;
        }
        try {
            byte[] address = InetAddress.getByName(peerIp).getAddress();
            return networks.stream().anyMatch(n -> n.contains(address));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The true client IP as HaRP computes it: only when the direct peer is a trusted proxy, the first
     * X-Forwarded-For entry, then X-Real-IP; otherwise the peer itself.
     */
    public String clientIp(String peerIp, String xForwardedFor, String xRealIp) {
        if (!trusts(peerIp)) {
            return peerIp;
        }
        if (xForwardedFor != null && !xForwardedFor.isBlank()) {
            String first = xForwardedFor.split(",")[0].trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        if (xRealIp != null && !xRealIp.isBlank()) {
            return xRealIp.trim();
        }
        return peerIp;
    }
}
