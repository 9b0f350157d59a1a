package io.lyre.proxy.config;

/** A listen address as HaRP writes it: host:port, with [v6]:port also accepted. */
public record HostPort(String host, int port) {

    public static HostPort parse(String variable, String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new InvalidSettingException(variable, "'" + text + "' is not host:port");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(variable, "'" + text + "' has no numeric port");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidSettingException(variable, "port " + port + " is outside 0-65535");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
