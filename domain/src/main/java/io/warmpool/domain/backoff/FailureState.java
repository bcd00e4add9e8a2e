package io.warmpool.domain.backoff;

import java.time.Instant;
import java.util.Optional;

/** STUB — replaced by the backoff work. */
public record FailureState(int consecutiveFailures, Instant lastFailureAt, Instant retryNotBefore, PresetStatus status) {

    public static FailureState initial() {
        return new FailureState(0, null, null, PresetStatus.HEALTHY);
    }

    public boolean inBackoff(Instant now) {
        return consecutiveFailures > 0 && retryNotBefore != null && now.isBefore(retryNotBefore);
    }

    public Optional<Instant> backoffUntil(Instant now) {
        return inBackoff(now) ? Optional.of(retryNotBefore) : Optional.empty();
    }
}
