package io.warmpool.domain.backoff;

import java.time.Instant;
import java.util.random.RandomGenerator;

/** STUB — replaced by the backoff work. */
public final class FailurePolicy {

    public FailurePolicy(BackoffSettings backoff, int hardLimit, RandomGenerator random) {
    }

    public FailureTransition recordOutcome(FailureState state, CreateOutcome outcome, Instant now) {
        throw new UnsupportedOperationException("stub");
    }

    public FailureTransition resume(FailureState state) {
        throw new UnsupportedOperationException("stub");
    }
}
