package io.warmpool.application.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How claims are bounded: waiting claims (SPEC R12 {@code wait}) and claim handoffs.
 *
 * @param maxWaitersPerPreset the most claims that may wait for one preset at once, across every replica; a claim
 *                            beyond it is answered at once ({@code Full}, HTTP 429)
 * @param retryAfter          what a claim that waited in vain is told to wait before trying again
 * @param handoffTimeout      {@code claim-timeout}: how long one claim handoff (the provisioner's claim transition)
 *                            may take before it counts as failed, whatever the provisioner; also the age after which
 *                            a reserved ({@code claiming}) prebuild is reaped by any replica
 */
public record ClaimWaitSettings(int maxWaitersPerPreset, Duration retryAfter, Duration handoffTimeout) {

    /** The default {@code claim-timeout} (SPEC R12). */
    public static final Duration DEFAULT_HANDOFF_TIMEOUT = Duration.ofSeconds(60);

    public static final ClaimWaitSettings DEFAULTS = new ClaimWaitSettings(100, Duration.ofSeconds(5), DEFAULT_HANDOFF_TIMEOUT);

    /** With the default handoff timeout. */
    public ClaimWaitSettings(int maxWaitersPerPreset, Duration retryAfter) {
        this(maxWaitersPerPreset, retryAfter, DEFAULT_HANDOFF_TIMEOUT);
    }

    public ClaimWaitSettings {
        if (maxWaitersPerPreset < 1) {
            throw new IllegalArgumentException("max-claim-waiters-per-preset must be at least 1, got " + maxWaitersPerPreset);
        }
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, got " + retryAfter);
        }
        Objects.requireNonNull(handoffTimeout, "handoffTimeout");
        if (handoffTimeout.isNegative() || handoffTimeout.isZero()) {
            throw new IllegalArgumentException("claim-timeout must be positive, got " + handoffTimeout);
        }
    }
}
