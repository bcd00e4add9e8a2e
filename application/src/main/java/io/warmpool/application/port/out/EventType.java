package io.warmpool.application.port.out;

import java.util.Locale;

/** What happened, as written to the event log and the simulator's events file (SPEC §5). */
public enum EventType {
    CREATE_STARTED,
    CREATE_SUCCEEDED,
    CREATE_FAILED,
    BACKOFF,
    HARD_LIMITED,
    VALIDATION_FAILED,
    DELETE_STARTED,
    DELETE_SUCCEEDED,
    DELETE_FAILED,
    EXPIRED,
    CLAIM_SUCCEEDED,
    CLAIM_MISSED,
    /** A claim's handoff failed or timed out, or its reservation was reaped (SPEC R12); its prebuild is deleted. */
    CLAIM_FAILED,
    JOB_RELEASED,
    WORKER_LOST,
    PRESET_RESUMED,
    PRESET_INVALIDATED,
    /** The provisioner accepted a create or delete and will call back (issue 15); the build awaits its callback. */
    JOB_ACCEPTED,
    /** R10: a provisioned prebuild became ready (eligible). */
    PREBUILD_READY,
    /** R10: a provisioned prebuild did not become ready (its check failed, or its timeout passed): a failed create. */
    READINESS_FAILED,
    /** R11: a ready prebuild was found unhealthy or gone; it is deleted and replaced. */
    PREBUILD_UNHEALTHY;

    /** The lowercase name used on the wire, for example {@code create_started}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
