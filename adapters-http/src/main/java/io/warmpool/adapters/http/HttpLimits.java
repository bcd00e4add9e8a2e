package io.warmpool.adapters.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What the HTTP server grants one client, so that slow or abusive clients cannot starve the others (issue 13):
 *
 * @param idleTimeout          a connection on which nothing moves this long is closed (also bounds each blocking
 *                             read or write)
 * @param headerTimeout        a request's line and headers must arrive within this, counted from their first
 *                             byte; a connection that trickles its headers slower is closed
 * @param bodyTimeout          a request's body must arrive completely within this, counted from when the server
 *                             first asks for it; else {@code 408} and the connection is closed
 * @param maxConnections       open connections at once; at the limit the server stops accepting (new clients wait
 *                             in the kernel's queue) until one closes. Keep it below the process's file limit
 * @param maxUnauthenticated   unauthenticated requests at once that may wait (at most
 *                             {@link #UNAUTHENTICATED_DRAIN}) for the rest of a small body before their answer, so
 *                             that a client which keeps connections alive can reuse its connection; beyond this the
 *                             answer is sent at once with {@code Connection: close}
 */
public record HttpLimits(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout, int maxConnections,
                         int maxUnauthenticated) {

    /** The longest an unauthenticated request waits for the rest of its body before its error answer. */
    public static final Duration UNAUTHENTICATED_DRAIN = Duration.ofSeconds(1);

    /** @throws IllegalArgumentException when a timeout is not positive or a count is below 1 */
    public HttpLimits {
        positive(Objects.requireNonNull(idleTimeout, "idleTimeout"), "idleTimeout");
        positive(Objects.requireNonNull(headerTimeout, "headerTimeout"), "headerTimeout");
        positive(Objects.requireNonNull(bodyTimeout, "bodyTimeout"), "bodyTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        if (maxUnauthenticated < 1) {
            throw new IllegalArgumentException("maxUnauthenticated must be at least 1, got " + maxUnauthenticated);
        }
    }

    /** 30 s idle, 10 s for headers, 30 s for a body, 4,096 connections, 64 unauthenticated requests waiting. */
    public static HttpLimits defaults() {
        return new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30), 4096, 64);
    }

    private static void positive(Duration d, String name) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be more than 0, got " + d);
        }
    }
}
