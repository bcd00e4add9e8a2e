package io.warmpool.domain.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings the per-preset plan depends on.
 *
 * @param failedRetention             how long a failed prebuild is kept before it is deleted (R8, default 15 min)
 * @param maxInFlightCreatesPerPreset the in-flight cap of R9 (default 5)
 */
public record PlannerSettings(Duration failedRetention, int maxInFlightCreatesPerPreset) {

    public static final PlannerSettings DEFAULTS = new PlannerSettings(Duration.ofMinutes(15), 5);

    public PlannerSettings {
        Objects.requireNonNull(failedRetention, "failedRetention");
        if (failedRetention.isNegative()) {
            throw new IllegalArgumentException("failed-retention must not be negative, got " + failedRetention);
        }
        if (maxInFlightCreatesPerPreset < 1) {
            throw new IllegalArgumentException("max-in-flight-creates-per-preset must be at least 1, got " + maxInFlightCreatesPerPreset);
        }
    }
}
