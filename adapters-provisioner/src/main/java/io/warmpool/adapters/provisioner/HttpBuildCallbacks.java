package io.warmpool.adapters.provisioner;

import io.warmpool.application.port.out.BuildCallbackPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Opens the callbacks of builds the {@link HttpProvisioner} left to the receiver ({@code 202 Accepted}): the
 * receiver {@code POST}s to the request's {@code callback_url} ({@code <public-url>/api/v1/builds/<id>/complete}) a
 * body signed exactly as warmpool signs its own requests ({@link HttpSignature}: headers
 * {@value HttpSignature#TIMESTAMP_HEADER} and {@value HttpSignature#SIGNATURE_HEADER}, HMAC-SHA256 under the same
 * secret over {@code timestamp + "." + body}).
 *
 * <p>Body: one JSON object
 * <pre>{@code
 * {"request_id": "build-<id>", "status": "succeeded" | "failed", "outputs": {"name": "value", ...},
 *  "error": "...", "permanent": false, "log": "..."}
 * }</pre>
 * {@code request_id} is the request's {@code Idempotency-Key} and must name the build of the URL: signed, it binds the
 * callback to that build, so a callback cannot be replayed against another one. Only {@code request_id} and
 * {@code status} are required; {@code outputs} counts for a success (values as in a synchronous answer),
 * {@code error} and {@code permanent} (a JSON boolean, R5) for a failure.
 *
 * <p>Replays: a timestamp further than {@link #WINDOW} from the service's clock is rejected, and a build completes
 * once (the second callback is a conflict, answered by the application), so a captured callback is worthless.
 */
public final class HttpBuildCallbacks implements BuildCallbackPort {

    /** How far a callback's timestamp may be from the service's clock, either way. */
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final HmacSecret secret;
    private final Duration window;

    /** With the {@link #WINDOW}. */
    public HttpBuildCallbacks(HmacSecret secret) {
        this(secret, WINDOW);
    }

    public HttpBuildCallbacks(HmacSecret secret, Duration window) {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.window = Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
    }

    @Override
    public Verdict open(String requestId, byte[] body, String timestamp, String signature, Instant now) {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(now, "now");
        if (timestamp == null || signature == null) {
            return new Rejected("missing " + HttpSignature.TIMESTAMP_HEADER + " or " + HttpSignature.SIGNATURE_HEADER
                    + " header");
        }
        if (!HttpSignature.verify(secret, timestamp, body, signature, now, Duration.ofDays(365 * 1000L))) {
            return new Rejected("bad signature");
        }
        // The signature is good: the timestamp is the signer's, so its age can be told apart from a forgery.
        if (!HttpSignature.verify(secret, timestamp, body, signature, now, window)) {
            return new Rejected("stale timestamp: more than " + window.toSeconds() + " s from the service's clock");
        }
        ProvisionerJson.Callback callback;
        try {
            callback = ProvisionerJson.callback(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return new Malformed("body is " + e.getMessage() + "; it must be " + ProvisionerJson.CALLBACK_SHAPE);
        }
        if (!callback.requestId().equals(requestId)) {
            return new Rejected("signed for another build (request_id does not match the URL)");
        }
        return new Verified(callback.result());
    }
}
