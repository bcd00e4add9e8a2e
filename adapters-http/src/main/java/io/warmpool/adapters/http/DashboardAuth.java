package io.warmpool.adapters.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sign-in and sessions of the dashboard, derived from the API token so that no state is stored: every replica
 * given the same token accepts the same links and cookies, and rotating the token revokes them all.
 *
 * <ul>
 *   <li>The <b>sign-in token</b> in the link {@code run} prints ({@code /?token=…}) is
 *       {@code base64url(HMAC-SHA256(apiToken, "warmpool dashboard sign-in v1"))}: it signs a browser in but is
 *       not the API token, so the link in a console or log does not give the bearer token away. The API token
 *       itself is accepted in the link too.</li>
 *   <li>The <b>session cookie</b> is {@code v1.<expiry epoch seconds>.<base64url HMAC-SHA256(sessionKey,
 *       "v1." + expiry)>} with {@code sessionKey = HMAC-SHA256(apiToken, "warmpool dashboard session v1")}; it is
 *       valid until its expiry ({@link #SESSION_TTL} after sign-in).</li>
 * </ul>
 *
 * <p>Comparisons are constant-time. Only derived keys and digests are kept, never the token.
 */
public final class DashboardAuth {

    /** The session cookie's name. */
    public static final String COOKIE = "warmpool_session";
    /** The header the dashboard sends with every mutating request (a cross-site form cannot send it). */
    public static final String CSRF_HEADER = "X-Warmpool-Csrf";
    /** How long a session lasts after sign-in. */
    public static final Duration SESSION_TTL = Duration.ofHours(12);

    private static final String VERSION = "v1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] sessionKey;
    private final byte[] signInDigest;
    private final byte[] tokenDigest;

    /** @throws IllegalArgumentException when the token is blank */
    public DashboardAuth(String apiToken) {
        Objects.requireNonNull(apiToken, "apiToken");
        if (apiToken.isBlank()) {
            throw new IllegalArgumentException("the API token must not be blank");
        }
        this.sessionKey = hmac(bytes(apiToken), "warmpool dashboard session " + VERSION);
        this.signInDigest = sha256(signInToken(apiToken));
        this.tokenDigest = sha256(apiToken);
    }

    /** The sign-in token for {@code apiToken} (what the printed link carries). */
    public static String signInToken(String apiToken) {
        return B64.encodeToString(hmac(bytes(apiToken), "warmpool dashboard sign-in " + VERSION));
    }

    /** The sign-in link for a service listening on {@code address} ({@code host:port}). */
    public static String signInUrl(String address, String apiToken) {
        return "http://" + address + "/?token=" + signInToken(apiToken);
    }

    /** Whether {@code presented} is the sign-in token or the API token. */
    boolean acceptsSignIn(String presented) {
        byte[] digest = sha256(presented);
        // Both comparisons always run: the time taken does not tell which one matched.
        boolean signIn = MessageDigest.isEqual(digest, signInDigest);
        boolean token = MessageDigest.isEqual(digest, tokenDigest);
        return signIn | token;
    }

    /** A new session cookie's value, valid until {@code now + SESSION_TTL}. */
    String newSession(Instant now) {
        long expiry = now.plus(SESSION_TTL).getEpochSecond();
        String payload = VERSION + "." + expiry;
        return payload + "." + B64.encodeToString(hmac(sessionKey, payload));
    }

    /** Whether {@code cookie} is a session this token signed that has not expired at {@code now}. */
    boolean validSession(String cookie, Instant now) {
        if (cookie == null || cookie.length() > 200) {
            return false;
        }
        int last = cookie.lastIndexOf('.');
        if (last < 0 || !cookie.startsWith(VERSION + ".")) {
            return false;
        }
        String payload = cookie.substring(0, last);
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(cookie.substring(last + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!MessageDigest.isEqual(presented, hmac(sessionKey, payload))) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(payload.substring(VERSION.length() + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        long nowSeconds = now.getEpochSecond();
        return expiry > nowSeconds && expiry <= nowSeconds + SESSION_TTL.toSeconds() + 60;
    }

    /** The {@code Set-Cookie} value of a new session. */
    String sessionCookieHeader(Instant now) {
        return COOKIE + "=" + newSession(now) + "; Path=/; Max-Age=" + SESSION_TTL.toSeconds()
                + "; HttpOnly; SameSite=Strict";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(bytes(message));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
