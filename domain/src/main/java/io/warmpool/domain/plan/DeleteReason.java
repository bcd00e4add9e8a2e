package io.warmpool.domain.plan;

/** Why a plan deletes a prebuild (SPEC R2), in the order the plan lists the steps. */
public enum DeleteReason {
    INACTIVE,
    EXPIRED,
    INVALIDATED,
    EXTRANEOUS,
    FAILED_CLEANUP
}
