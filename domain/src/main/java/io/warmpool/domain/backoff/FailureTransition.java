package io.warmpool.domain.backoff;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One event applied to a preset's failure state: the state {@code before} and {@code after} it. The caller
 * persists {@code after} (when {@link #changed()}) and may log or count what the queries below report.
 *
 * @param before the state the event was applied to
 * @param after  the resulting state; equal to {@code before} when the event said nothing about the preset
 */
public record FailureTransition(FailureState before, FailureState after) {

    /** @throws NullPointerException when either state is null */
    public FailureTransition {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    static FailureTransition unchanged(FailureState state) {
        return new FailureTransition(state, state);
    }

    /** Whether a failure was counted: {@code k} went up. */
    public boolean counted() {
        return after.consecutiveFailures() > before.consecutiveFailures();
    }

    /** Whether the status became {@link PresetStatus#HARD_LIMITED} by this event. */
    public boolean becameHardLimited() {
        return before.status() != PresetStatus.HARD_LIMITED && after.status() == PresetStatus.HARD_LIMITED;
    }

    /** Whether the status became {@link PresetStatus#VALIDATION_FAILED} by this event. */
    public boolean becameValidationFailed() {
        return before.status() != PresetStatus.VALIDATION_FAILED && after.status() == PresetStatus.VALIDATION_FAILED;
    }

    /**
     * Whether the event cleared failures: {@code k} went from positive to 0 (a success), or a
     * {@link PresetStatus#HARD_LIMITED} status was lifted to {@link PresetStatus#HEALTHY} (a success or a resume).
     * A {@link PresetStatus#VALIDATION_FAILED} status that stays does not prevent the first case.
     */
    public boolean cleared() {
        boolean counterReset = before.consecutiveFailures() > 0 && after.consecutiveFailures() == 0;
        boolean limitLifted = before.status() == PresetStatus.HARD_LIMITED && after.status() == PresetStatus.HEALTHY;
        return counterReset || limitLifted;
    }

    /** The new deadline, {@code after.retryNotBefore()}, when this event recorded a failure; else empty. */
    public Optional<Instant> backoffUntil() {
        return counted() ? Optional.ofNullable(after.retryNotBefore()) : Optional.empty();
    }

    /** Whether the state differs, so that there is something to persist. */
    public boolean changed() {
        return !before.equals(after);
    }
}
