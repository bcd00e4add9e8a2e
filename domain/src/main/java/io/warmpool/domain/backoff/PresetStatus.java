package io.warmpool.domain.backoff;

/** Stored status of a preset (SPEC R3–R5); it changes only on events, never by the passing of time. */
public enum PresetStatus {
    HEALTHY,
    HARD_LIMITED,
    VALIDATION_FAILED
}
