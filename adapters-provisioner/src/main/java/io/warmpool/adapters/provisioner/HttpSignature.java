package io.warmpool.adapters.provisioner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * How {@link HttpProvisioner} signs its requests, so receivers can check them.
 *
 * <p>Every request carries two headers:
 * <ul>
 *   <li>{@value #TIMESTAMP_HEADER}: the send time as whole seconds since the Unix epoch (decimal ASCII), taken
 *       from the provisioner's clock, new for every attempt;</li>
 *   <li>{@value #SIGNATURE_HEADER}: {@code sha256=} followed by the lowercase hex HMAC-SHA256, under the shared
 *       secret, of the bytes {@code timestamp + "." + body} (the timestamp header's ASCII text, a full stop, then the
 *       exact request body bytes).</li>
 * </ul>
 * A receiver recomputes the HMAC over the raw body it received, compares it in constant time, and rejects the
 * request when the timestamp is further than its window (for example 5 minutes) from its own clock — an old
 * request replayed by an eavesdropper then fails, since the timestamp cannot be changed without the secret.
 * Receivers should also act once per {@code Idempotency-Key} header (the build or request id, the same on every retry):
 * a request retried after a timeout is the same build. The header is not signed; a receiver keys on it together with
 * the signed {@code workspace_id} and {@code transition}.
 */
public final class HttpSignature {

    /** Header with the send time in epoch seconds. */
    public static final String TIMESTAMP_HEADER = "X-Warmpool-Timestamp";
    /** Header with {@code sha256=<hex>}. */
    public static final String SIGNATURE_HEADER = "X-Warmpool-Signature";

    private HttpSignature() {
    }

    /** The {@value #SIGNATURE_HEADER} value for {@code timestamp} and {@code body}. */
    public static String sign(HmacSecret secret, String timestamp, byte[] body) {
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        return "sha256=" + HexFormat.of().formatHex(secret.hmacSha256(message));
    }

    /**
     * Checks a received request: the signature matches (compared in constant time) and the timestamp is within
     * {@code window} of {@code now}, either way.
     */
    public static boolean verify(HmacSecret secret, String timestamp, byte[] body, String signature, Instant now,
                                 Duration window) {
        if (timestamp == null || signature == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > window.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
