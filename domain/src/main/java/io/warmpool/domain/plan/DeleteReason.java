package io.warmpool.domain.plan;

/** Why a plan deletes a prebuild (SPEC R2), in the order the plan lists the steps. */
public enum DeleteReason {
    INACTIVE,
    /** A liveness check found the prebuild unhealthy or gone (R11); its own step right after INACTIVE. */
    UNHEALTHY,
    EXPIRED,
    INVALIDATED,
    EXTRANEOUS,
    FAILED_CLEANUP
}
