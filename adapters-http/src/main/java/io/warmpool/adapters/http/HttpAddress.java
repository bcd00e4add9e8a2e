package io.warmpool.adapters.http;

import java.util.Objects;

/**
 * Where the API listens: a host (name or IP literal) and a TCP port; port 0 asks the system for a free one.
 *
 * @param host a host name or IP literal, without brackets for IPv6
 * @param port 0…65535
 */
public record HttpAddress(String host, int port) {

    /** The default of {@code --http-addr}: loopback only (SPEC §7). */
    public static final HttpAddress DEFAULT = new HttpAddress("127.0.0.1", 8080);

    /**
     * @throws IllegalArgumentException when the host is blank or the port is out of range
     */
    public HttpAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("http address host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http address port must be between 0 and 65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port}, or {@code [v6-literal]:port} for IPv6, as given to {@code --http-addr}.
     *
     * @throws IllegalArgumentException naming the accepted form when {@code text} is not one
     */
    public static HttpAddress parse(String text) {
        String form = "; write it as host:port, for example 127.0.0.1:8080 or [::1]:8080";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("http address is empty" + form);
        }
        String t = text.trim();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("http address '" + text + "' is not host:port" + form);
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || t.indexOf(':') != colon) {
                throw new IllegalArgumentException("http address '" + text + "' is not host:port" + form);
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        try {
            return new HttpAddress(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("http address '" + text + "' has no numeric port" + form);
        }
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
