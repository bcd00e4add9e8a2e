package io.warmpool.domain.plan;

/** The guard that lowered a create (SPEC R2.4); a {@link PlanAction.Blocked} names the first one. */
public enum BlockReason {
    HARD_LIMITED,
    VALIDATION_FAILED,
    BACKOFF,
    PROBE,
    IN_FLIGHT_CAP,
    PENDING_CAP
}
