package io.warmpool.adapters.http.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time codes of the dashboard's sign-in link ({@code /?code=…}): random (256 bits from {@link SecureRandom},
 * a credential, not a simulation draw), valid for {@link #TTL} and exchanged for a session cookie once. Only their
 * SHA-256 digests are kept, in this process's memory: a link works on the replica that issued it (the replica whose
 * address {@code run} prints, or the one {@code ./warmpool dashboard} asked), and a restart forgets it.
 *
 * <p>At most {@link #MAX_OUTSTANDING} codes are outstanding; expired ones are dropped whenever a code is issued.
 * Thread-safe; time is what the caller passes (the service clock).
 */
public final class SignInCodes {

    /** How long a sign-in code stays valid. */
    public static final Duration TTL = Duration.ofMinutes(10);
    /** Codes outstanding at once; when full, the one expiring first is dropped. */
    static final int MAX_OUTSTANDING = 1000;

    /** A new code and when it expires. */
    public record Issued(String code, Instant expiresAt) {
    }

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> expiryByDigest = new ConcurrentHashMap<>();

    /** A new code valid until {@code now + TTL}. */
    public Issued issue(Instant now) {
        Objects.requireNonNull(now, "now");
        expiryByDigest.values().removeIf(expiry -> !expiry.isAfter(now));
        while (expiryByDigest.size() >= MAX_OUTSTANDING) {
            expiryByDigest.entrySet().stream().min(Map.Entry.comparingByValue())
                    .ifPresent(oldest -> expiryByDigest.remove(oldest.getKey()));
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String code = B64.encodeToString(bytes);
        Instant expiresAt = now.plus(TTL);
        expiryByDigest.put(digest(code), expiresAt);
        return new Issued(code, expiresAt);
    }

    /**
     * Exchanges {@code code}: true once for a code issued here and not expired at {@code now}; the code is spent
     * either way (a code presented after its expiry cannot be tried again).
     */
    public boolean redeem(String code, Instant now) {
        if (code == null || code.isEmpty() || code.length() > 100) {
            return false;
        }
        // A map lookup by digest: the code's own bytes never drive a comparison an attacker could time.
        Instant expiry = expiryByDigest.remove(digest(code));
        return expiry != null && expiry.isAfter(now);
    }

    private static String digest(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
