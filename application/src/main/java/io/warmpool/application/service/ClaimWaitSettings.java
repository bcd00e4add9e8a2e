package io.warmpool.application.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How waiting claims (SPEC R12 {@code wait}) are bounded.
 *
 * @param maxWaitersPerPreset the most claims that may wait for one preset at once, across every replica; a claim
 *                            beyond it is answered at once ({@code Full}, HTTP 429)
 * @param retryAfter          what a claim that waited in vain is told to wait before trying again
 */
public record ClaimWaitSettings(int maxWaitersPerPreset, Duration retryAfter) {

    public static final ClaimWaitSettings DEFAULTS = new ClaimWaitSettings(100, Duration.ofSeconds(5));

    public ClaimWaitSettings {
        if (maxWaitersPerPreset < 1) {
            throw new IllegalArgumentException("max-claim-waiters-per-preset must be at least 1, got " + maxWaitersPerPreset);
        }
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, got " + retryAfter);
        }
    }
}
