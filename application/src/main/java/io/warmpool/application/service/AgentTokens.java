package io.warmpool.application.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Per-workspace agent tokens (SPEC R10 agent): 256 random bits from {@link SecureRandom} (a secret, not a
 * simulation draw), URL-safe base64; only their SHA-256 is stored, and a presented token is compared by its hash in
 * constant time.
 */
public final class AgentTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private AgentTokens() {
    }

    /** A new token: 43 URL-safe characters. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The lower-case hex SHA-256 of a token's UTF-8 bytes. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** Whether {@code presented} is the token whose hash is {@code storedSha256}, compared in constant time. */
    public static boolean matches(String presented, String storedSha256) {
        if (presented == null || storedSha256 == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented).getBytes(StandardCharsets.US_ASCII),
                storedSha256.getBytes(StandardCharsets.US_ASCII));
    }
}
