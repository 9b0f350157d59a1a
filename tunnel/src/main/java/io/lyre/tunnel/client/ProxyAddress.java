package io.lyre.tunnel.client;

import io.lyre.tunnel.TunnelProtocol;

/** "host", "host:port" or "[v6]:port"; the port defaults to 8782. */
public record ProxyAddress(String host, int port) {

    public static ProxyAddress parse(String text) {
        String s = text.trim();
        if (s.contains("://")) {
            s = s.substring(s.indexOf("://") + 3);
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            String host = s.substring(1, end);
            String rest = s.substring(end + 1);
            return new ProxyAddress(host, rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : TunnelProtocol.DEFAULT_PORT);
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(':') == colon) {
            return new ProxyAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }
        return new ProxyAddress(s, TunnelProtocol.DEFAULT_PORT);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
