package io.warmpool.domain.backoff;

/** Jitter applied after the cap (SPEC R3). */
public enum Jitter {
    NONE,
    FULL,
    EQUAL
}
