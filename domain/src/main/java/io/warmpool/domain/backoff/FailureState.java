package io.warmpool.domain.backoff;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The persisted failure state of one preset (SPEC R3–R5). Immutable; every change is a new value produced by
 * {@link FailurePolicy}.
 *
 * <p>Nothing here is derived from the passing of time or from the configured hard limit: {@code status} is
 * stored and changes only on events, and {@code retryNotBefore} is fixed when a failure is recorded, so reading
 * the state at any instant never moves a deadline.
 *
 * @param consecutiveFailures {@code k}: failed creates since the last success, {@code >= 0}
 * @param lastFailureAt       when the latest counted failure was recorded; null when {@code k == 0}
 * @param retryNotBefore      end of the backoff window (exclusive); null when {@code k == 0} or after a resume
 * @param status              the stored status
 */
public record FailureState(int consecutiveFailures, Instant lastFailureAt, Instant retryNotBefore, PresetStatus status) {

    /**
     * @throws IllegalArgumentException when {@code k < 0}, or {@code k == 0} with a failure instant or deadline
     * @throws NullPointerException     when {@code status} is null
     */
    public FailureState {
        Objects.requireNonNull(status, "status");
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures must be >= 0, got " + consecutiveFailures);
        }
        if (consecutiveFailures == 0 && (lastFailureAt != null || retryNotBefore != null)) {
            throw new IllegalArgumentException("with consecutiveFailures 0, lastFailureAt and retryNotBefore must be"
                    + " null, got " + lastFailureAt + " and " + retryNotBefore);
        }
    }

    /** A preset that never failed: {@code k = 0}, no failure instant, no deadline, {@link PresetStatus#HEALTHY}. */
    public static FailureState initial() {
        return new FailureState(0, null, null, PresetStatus.HEALTHY);
    }

    /**
     * Whether creates of this preset are held back at {@code now}: {@code k > 0} and {@code now < retryNotBefore}.
     * At exactly {@code retryNotBefore} the backoff is over.
     */
    public boolean inBackoff(Instant now) {
        Objects.requireNonNull(now, "now");
        return consecutiveFailures > 0 && retryNotBefore != null && now.isBefore(retryNotBefore);
    }

    /** {@code retryNotBefore} when {@link #inBackoff(Instant) in backoff} at {@code now}, else empty. */
    public Optional<Instant> backoffUntil(Instant now) {
        return inBackoff(now) ? Optional.of(retryNotBefore) : Optional.empty();
    }

    /**
     * Whether the next create must be a single probe (SPEC R9): {@code k > 0}, that is, the preset has failed
     * since its last success, whether or not it is still in backoff.
     */
    public boolean probing() {
        return consecutiveFailures > 0;
    }
}
