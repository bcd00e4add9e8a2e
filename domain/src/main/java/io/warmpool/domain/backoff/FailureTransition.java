package io.warmpool.domain.backoff;

/** STUB — replaced by the backoff work. */
public record FailureTransition(FailureState before, FailureState after) {
}
