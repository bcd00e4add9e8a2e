package io.warmpool.domain.backoff;

/** What a finished create build says about its preset (SPEC R3–R5). */
public enum CreateOutcome {
    SUCCEEDED,
    /** A transient failure: counts in k. */
    FAILED,
    /** An error the provisioner marked permanent: counts in k and sets validation_failed. */
    PERMANENT_FAILURE,
    /** The provisioner was unavailable (its circuit open): says nothing about the preset. */
    UNAVAILABLE,
    /** The worker stopped heartbeating mid-job: says nothing about the preset. */
    WORKER_LOST
}
