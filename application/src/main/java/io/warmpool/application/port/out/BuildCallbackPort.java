package io.warmpool.application.port.out;

import java.time.Instant;
import java.util.Objects;

/**
 * Opens the signed callback of an asynchronous build (SPEC §4 http, issue 15): checks that it was signed with the
 * provisioner's secret by the same scheme the provisioner signs its own requests with, that its timestamp is fresh,
 * and that its body names the build, then decodes the outcome. Implemented by the provisioner adapter that made the
 * request, which owns the secret and the wire format; {@link #NONE} rejects every callback (no provisioner of this
 * service answers later).
 */
public interface BuildCallbackPort {

    /**
     * @param requestId the build's request id, {@code build-<id>}: a verified body must name exactly it
     * @param body      the raw body
     * @param timestamp the timestamp header as received, or null
     * @param signature the signature header as received, or null
     * @param now       the service's clock, for the timestamp window
     */
    Verdict open(String requestId, byte[] body, String timestamp, String signature, Instant now);

    /** What {@link #open} found. */
    sealed interface Verdict permits Verified, Rejected, Malformed {
    }

    /**
     * Authentic, fresh, for this build: its outcome, a {@link ProvisionResult.Succeeded} (with outputs) or a
     * {@link ProvisionResult.Failed} (permanent or not).
     */
    record Verified(ProvisionResult result) implements Verdict {
        public Verified {
            Objects.requireNonNull(result, "result");
            if (!(result instanceof ProvisionResult.Succeeded) && !(result instanceof ProvisionResult.Failed)) {
                throw new IllegalArgumentException("a callback's outcome is succeeded or failed, not " + result);
            }
        }
    }

    /** Not authentic, not fresh, or signed for another build; {@code reason} is safe to answer (no secret). */
    record Rejected(String reason) implements Verdict {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Authentic, but the body is not a callback; {@code reason} says what is wrong. */
    record Malformed(String reason) implements Verdict {
        public Malformed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** No provisioner calls back: every callback is rejected. */
    BuildCallbackPort NONE = (requestId, body, timestamp, signature, now) ->
            new Rejected("this service accepts build callbacks only with the http provisioner");
}
