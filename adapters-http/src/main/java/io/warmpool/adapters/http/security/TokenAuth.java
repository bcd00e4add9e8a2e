package io.warmpool.adapters.http.security;

import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import io.warmpool.adapters.http.web.RequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * Who may call {@code /api/} (SPEC §7): a request with {@code Authorization: Bearer <token>}, compared in constant
 * time, or with the dashboard's session cookie ({@link DashboardAuth}); a mutating request signed in by the cookie
 * must also pass {@link SameOrigin}. Anything else is 401. The token is never logged, and only its digest is kept.
 */
public final class TokenAuth {

    private static final String AUTHENTICATED = "warmpool.authenticated";
    private static final String BEARER = "bearer ";
    /**
     * The names logged as a request's actor: the one API token (the state dir's or {@code WARMPOOL_TOKEN}) is the
     * bootstrap {@code admin} token (SPEC §7), a dashboard session signed in with a one-time code is {@code dashboard}.
     */
    public static final String ADMIN = "admin";
    public static final String DASHBOARD = "dashboard";

    private final byte[] tokenDigest;
    private final DashboardAuth sessions;
    private final Clock clock;

    /** @throws IllegalArgumentException when the token is blank */
    public TokenAuth(String token, DashboardAuth sessions, Clock clock) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("the API token must not be blank");
        }
        // Only a digest is kept: comparing fixed-length digests keeps the comparison constant-time whatever
        // length the caller sends, and the token itself is not held in a field that could end up in a dump.
        this.tokenDigest = sha256(token);
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether this request was authenticated (an error answer then waits longer for the rest of its body). */
    public static boolean isAuthenticated(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(AUTHENTICATED));
    }

    /** The before-handler of {@code /api/*}. @throws UnauthorizedResponse, or 403 from {@link SameOrigin} */
    public void authenticate(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        String header = ctx.header("Authorization");
        String cookie = header == null ? ctx.cookie(DashboardAuth.COOKIE) : null;
        if (cookie != null) {
            if (sessions.validSession(cookie, clock.instant())) {
                ctx.attribute(AUTHENTICATED, true);
                RequestContext.actor(DASHBOARD);
                if (mutating(ctx.method().name())) {
                    SameOrigin.require(ctx);
                }
                return;
            }
            throw new UnauthorizedResponse("missing bearer token, and the dashboard session has expired or is not "
                    + "valid: open the sign-in link again");
        }
        if (header == null || header.length() < BEARER.length()
                || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool\"");
            throw new UnauthorizedResponse("missing bearer token; send the header Authorization: Bearer <token>");
        }
        byte[] presented = sha256(header.substring(BEARER.length()).trim());
        if (!MessageDigest.isEqual(presented, tokenDigest)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool\", error=\"invalid_token\"");
            throw new UnauthorizedResponse("invalid bearer token");
        }
        ctx.attribute(AUTHENTICATED, true);
        RequestContext.actor(ADMIN);
    }

    private static boolean mutating(String method) {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
