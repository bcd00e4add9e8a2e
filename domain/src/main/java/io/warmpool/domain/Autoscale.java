package io.warmpool.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * A preset's demand-driven sizing (SPEC R13, {@code prebuilds.autoscale}): when set, an active preset's desired count
 * is {@code clamp(min, max, N)} for the smallest pool size N whose Erlang-B hit rate reaches {@code targetHitRate}
 * (see {@link io.warmpool.domain.autoscale}); a schedule window that holds is a floor.
 *
 * @param targetHitRate the share of claims that should find a ready prebuild, in (0, 1)
 * @param min           the smallest desired count, 0…{@code max}
 * @param max           the largest desired count, {@code min}…{@value PrebuildPolicy#MAX_INSTANCES}
 * @param lookback      how far back claim history counts, {@value #MIN_LOOKBACK_HOURS}h…{@value #MAX_LOOKBACK_DAYS}d
 */
public record Autoscale(double targetHitRate, int min, int max, Duration lookback) {

    public static final long MIN_LOOKBACK_HOURS = 1;
    public static final long MAX_LOOKBACK_DAYS = 90;
    /** The SPEC's example: fourteen days. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofDays(14);

    public Autoscale {
        if (!(targetHitRate > 0 && targetHitRate < 1)) {
            throw new IllegalArgumentException("target_hit_rate must be between 0 and 1 (exclusive), got " + targetHitRate);
        }
        if (min < 0 || max > PrebuildPolicy.MAX_INSTANCES || min > max) {
            throw new IllegalArgumentException("autoscale needs 0 <= min <= max <= " + PrebuildPolicy.MAX_INSTANCES
                    + ", got min " + min + " and max " + max);
        }
        Objects.requireNonNull(lookback, "lookback");
        if (lookback.compareTo(Duration.ofHours(MIN_LOOKBACK_HOURS)) < 0
                || lookback.compareTo(Duration.ofDays(MAX_LOOKBACK_DAYS)) > 0) {
            throw new IllegalArgumentException("autoscale lookback must be between 1h and 90d, got " + lookback);
        }
    }
}
