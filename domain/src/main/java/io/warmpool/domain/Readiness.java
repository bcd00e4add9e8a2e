package io.warmpool.domain;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A preset's readiness policy (SPEC R10, {@code prebuilds.readiness}): after its create succeeds a prebuild is
 * {@code provisioned}, and becomes ready (eligible) only when the check says so within {@code timeout}.
 *
 * @param check   who says the workspace is ready
 * @param timeout from the create's success; not ready by then → a failed create (R3–R5); positive
 */
public record Readiness(Check check, Duration timeout) {

    /** Ten minutes, as the SPEC's example. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** Who decides that a provisioned workspace is ready. */
    public enum Check {
        /** The provisioner's {@code check} transition, asked every readiness interval. */
        PROVISIONER,
        /** The workspace's agent calls {@code POST /api/v1/workspaces/{id}/ready} with its token. */
        AGENT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Check> fromWire(String text) {
            for (Check c : values()) {
                if (c.wire().equals(text)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    public Readiness {
        Objects.requireNonNull(check, "check");
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("readiness timeout must be positive, got " + timeout);
        }
    }
}
