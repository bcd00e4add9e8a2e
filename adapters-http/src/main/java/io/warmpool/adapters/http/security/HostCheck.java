package io.warmpool.adapters.http.security;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.warmpool.adapters.http.web.Requests;
import java.util.List;
import java.util.Locale;

/**
 * No DNS rebinding: on a loopback address, a request must name this server in its {@code Host} — the listening
 * address as {@code 127.0.0.1:port}, {@code localhost:port} or {@code [::1]:port}, or one of the allowed hosts — or
 * it is answered {@code 421} on every route. A page of another site whose name was made to resolve to 127.0.0.1
 * sends its own name. On any other address only the allowed hosts are checked, when given. A request without
 * {@code Host} (HTTP/1.0) is let through: a browser always sends one.
 */
public final class HostCheck {

    private final String listenHost;
    private final List<String> allowedHosts;
    private final boolean loopback;

    /**
     * Looks the listening host up (so: when the server starts, not when it is configured).
     *
     * @param allowedHosts as {@link #normalize} returns them
     */
    public static HostCheck forAddress(String listenHost, List<String> allowedHosts) {
        return new HostCheck(listenHost, allowedHosts, isLoopback(listenHost));
    }

    private HostCheck(String listenHost, List<String> allowedHosts, boolean loopback) {
        this.listenHost = listenHost;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.loopback = loopback;
    }

    /** Trimmed and lowercase. @throws IllegalArgumentException when one is blank */
    public static List<String> normalize(List<String> allowedHosts) {
        return allowedHosts.stream().map(h -> {
            if (h.isBlank()) {
                throw new IllegalArgumentException("an allowed host must not be blank");
            }
            return h.trim().toLowerCase(Locale.ROOT);
        }).toList();
    }

    /** The before-handler of every route. @throws HttpResponseException 421 */
    public void check(Context ctx) {
        if (!loopback && allowedHosts.isEmpty()) {
            return;
        }
        String host = ctx.header("Host");
        if (host == null || hostAllowed(host.trim().toLowerCase(Locale.ROOT), ctx.req().getLocalPort())) {
            return;
        }
        throw new HttpResponseException(421, "misdirected request: Host " + Requests.abbreviate(host)
                + " is not this server's address" + (loopback ? " (" + listenHost + ":" + ctx.req().getLocalPort()
                + ", localhost)" : "") + "; add it to --allowed-hosts if it is a name of this server");
    }

    private boolean hostAllowed(String host, int port) {
        if (loopback) {
            String suffix = ":" + port;
            for (String name : List.of(listenHost.toLowerCase(Locale.ROOT), "127.0.0.1", "localhost", "[::1]")) {
                String bracketed = name.contains(":") && !name.startsWith("[") ? "[" + name + "]" : name;
                if (host.equals(bracketed + suffix) || (port == 80 && host.equals(bracketed))) {
                    return true;
                }
            }
        }
        return allowedHosts.stream().anyMatch(allowed -> allowedHostMatches(allowed, host));
    }

    /** {@code name} allows that name on any port, {@code name:port} only that port. */
    public static boolean allowedHostMatches(String allowed, String host) {
        if (allowed.equals(host)) {
            return true;
        }
        if (!host.startsWith(allowed + ":") || hasPort(allowed)) {
            return false;
        }
        String port = host.substring(allowed.length() + 1);
        return !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean hasPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > authority.lastIndexOf(']') && (authority.startsWith("[") || authority.indexOf(':') == colon);
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
