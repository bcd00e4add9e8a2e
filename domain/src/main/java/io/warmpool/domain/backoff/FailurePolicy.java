package io.warmpool.domain.backoff;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The failure rules of SPEC R3–R5: how each create outcome and an operator resume change a preset's
 * {@link FailureState}. Pure: it reads no clock and no storage; the caller passes {@code now} and persists the
 * resulting state.
 *
 * <p>The hard limit is consulted only when a failure is recorded, so a policy built with another limit changes
 * nothing about existing states until their next failure: the status is stored, never derived from {@code k}.
 *
 * <p>Thread-safe. The only mutable thing it touches is the injected random generator, and every draw
 * synchronizes on that generator object, so several policies (for example the old and the new one across a
 * configuration reload) may share one generator. Other code drawing from the same generator concurrently must
 * synchronize on it too.
 */
public final class FailurePolicy {

    private final BackoffSettings backoff;
    /** The {@code failure-hard-limit} when none is configured (SPEC R4). */
    public static final int DEFAULT_HARD_LIMIT = 3;

    private final int hardLimit;
    private final RandomGenerator random;

    /**
     * @param backoff   the delay and jitter applied to each recorded failure
     * @param hardLimit the {@code failure-hard-limit}: a failure leaving {@code k >= hardLimit} hard-limits a
     *                  healthy preset; 0 disables the limit
     * @param random    the seedable source of jitter draws
     * @throws IllegalArgumentException naming {@code failure-hard-limit} when {@code hardLimit < 0}
     */
    public FailurePolicy(BackoffSettings backoff, int hardLimit, RandomGenerator random) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.random = Objects.requireNonNull(random, "random");
        if (hardLimit < 0) {
            throw new IllegalArgumentException(
                    "failure-hard-limit must be >= 0 (0 disables it), got " + hardLimit);
        }
        this.hardLimit = hardLimit;
    }

    /**
     * Applies the outcome of one finished create build of the preset:
     * <ul>
     *   <li>{@link CreateOutcome#FAILED}: {@code k + 1}, {@code lastFailureAt = now},
     *       {@code retryNotBefore = now + delay(k)} with the jitter drawn now, once; then, when the limit is
     *       enabled and {@code k >= hardLimit}, a {@link PresetStatus#HEALTHY} preset becomes
     *       {@link PresetStatus#HARD_LIMITED} (any other status stays).</li>
     *   <li>{@link CreateOutcome#PERMANENT_FAILURE}: the same count and deadline, and the status becomes
     *       {@link PresetStatus#VALIDATION_FAILED} whatever it was.</li>
     *   <li>{@link CreateOutcome#SUCCEEDED}: {@code k = 0}, failure instant and deadline cleared,
     *       {@link PresetStatus#HARD_LIMITED} lifted to {@link PresetStatus#HEALTHY};
     *       {@link PresetStatus#VALIDATION_FAILED} stays.</li>
     *   <li>{@link CreateOutcome#UNAVAILABLE}, {@link CreateOutcome#WORKER_LOST}: nothing changes.</li>
     * </ul>
     * Each failed build is recorded on its own, so five failures finishing together add five. {@code k}
     * saturates at {@link Integer#MAX_VALUE} rather than wrapping.
     *
     * @param state   the preset's current state
     * @param outcome what the build says about the preset
     * @param now     when the build finished
     * @return the state before and after; {@code after == before} when nothing changed
     */
    public FailureTransition recordOutcome(FailureState state, CreateOutcome outcome, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(now, "now");
        return switch (outcome) {
            case FAILED, PERMANENT_FAILURE -> new FailureTransition(state, failed(state, outcome, now));
            case SUCCEEDED -> new FailureTransition(state, new FailureState(0, null, null,
                    state.status() == PresetStatus.HARD_LIMITED ? PresetStatus.HEALTHY : state.status()));
            case UNAVAILABLE, WORKER_LOST -> FailureTransition.unchanged(state);
        };
    }

    /**
     * An operator resume (SPEC R4, R5): status {@link PresetStatus#HEALTHY} and {@code retryNotBefore} cleared,
     * keeping {@code k} and {@code lastFailureAt}, so the next create is a single probe (R9) and, when it fails
     * with {@code k} still at or over the limit, the preset is hard-limited again at once.
     *
     * @param state the preset's current state
     * @return the state before and after the resume
     */
    public FailureTransition resume(FailureState state) {
        Objects.requireNonNull(state, "state");
        return new FailureTransition(state,
                new FailureState(state.consecutiveFailures(), state.lastFailureAt(), null, PresetStatus.HEALTHY));
    }

    /** The {@code failure-hard-limit} applied at each recorded failure; 0 when disabled. */
    public int hardLimit() {
        return hardLimit;
    }

    /** The backoff settings applied at each recorded failure. */
    public BackoffSettings backoff() {
        return backoff;
    }

    private FailureState failed(FailureState state, CreateOutcome outcome, Instant now) {
        int k = state.consecutiveFailures() == Integer.MAX_VALUE
                ? Integer.MAX_VALUE
                : state.consecutiveFailures() + 1;
        Duration delay;
        synchronized (random) {
            delay = backoff.delay(k, random);
        }
        PresetStatus status = state.status();
        if (outcome == CreateOutcome.PERMANENT_FAILURE) {
            status = PresetStatus.VALIDATION_FAILED;
        } else if (status == PresetStatus.HEALTHY && hardLimit > 0 && k >= hardLimit) {
            status = PresetStatus.HARD_LIMITED;
        }
        return new FailureState(k, now, now.plus(delay), status);
    }

    @Override
    public String toString() {
        return "FailurePolicy[backoff=" + backoff + ", hardLimit=" + hardLimit + "]";
    }
}
