package io.warmpool.adapters.http.security;

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
 * Sessions of the dashboard, derived from the API token so that no state is stored: every replica given the same
 * token accepts the same cookies, and rotating the token revokes them all. A browser signs in with a one-time code
 * ({@link SignInCodes}); neither the API token nor anything derived from it is ever accepted in a URL.
 *
 * <ul>
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

    /** @throws IllegalArgumentException when the token is blank */
    public DashboardAuth(String apiToken) {
        Objects.requireNonNull(apiToken, "apiToken");
        if (apiToken.isBlank()) {
            throw new IllegalArgumentException("the API token must not be blank");
        }
        this.sessionKey = hmac(bytes(apiToken), "warmpool dashboard session " + VERSION);
    }

    /** A new session cookie's value, valid until {@code now + SESSION_TTL}. */
    public String newSession(Instant now) {
        long expiry = now.plus(SESSION_TTL).getEpochSecond();
        String payload = VERSION + "." + expiry;
        return payload + "." + B64.encodeToString(hmac(sessionKey, payload));
    }

    /** Whether {@code cookie} is a session this token signed that has not expired at {@code now}. */
    public boolean validSession(String cookie, Instant now) {
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

    /** The {@code Set-Cookie} value of a new session over plain HTTP. */
    public String sessionCookieHeader(Instant now) {
        return sessionCookieHeader(now, false);
    }

    /** The {@code Set-Cookie} value of a new session; {@code Secure} (sent over HTTPS only) when signed in over TLS. */
    public String sessionCookieHeader(Instant now, boolean secure) {
        return COOKIE + "=" + newSession(now) + "; Path=/; Max-Age=" + SESSION_TTL.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
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

}
