package io.warmpool.adapters.provisioner;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that signs webhook requests (HMAC-SHA256). Holds a private copy of the key bytes and never reveals them:
 * {@link #toString()} is redacted, there is no accessor, and equality is identity, so the key cannot leak through
 * logs, error messages or a record's {@code toString}.
 */
public final class HmacSecret {

    /** 128 bits: shorter keys are guessable; 32 random bytes are recommended. */
    public static final int MIN_BYTES = 16;

    private final byte[] key;

    private HmacSecret(byte[] key) {
        if (key.length < MIN_BYTES) {
            // Deliberately not echoing the value.
            throw new IllegalArgumentException("secret must be at least " + MIN_BYTES + " bytes (32 random bytes"
                    + " recommended), was " + key.length);
        }
        this.key = key.clone();
    }

    /** A secret from raw key bytes (copied). */
    public static HmacSecret ofBytes(byte[] key) {
        return new HmacSecret(key);
    }

    /** A secret from text, as configured; the key is its UTF-8 bytes. */
    public static HmacSecret ofUtf8(String key) {
        if (key == null) {
            throw new IllegalArgumentException("secret must be given");
        }
        return new HmacSecret(key.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code message} under this key. */
    byte[] hmacSha256(byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256; its absence is a broken JDK, not bad input.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "HmacSecret[redacted]";
    }
}
