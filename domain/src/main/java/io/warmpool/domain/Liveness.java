package io.warmpool.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * A preset's liveness policy (SPEC R11, {@code prebuilds.health}): every ready, unclaimed prebuild is checked at
 * most once per {@code interval}; {@code unhealthyAfter} consecutive unhealthy answers, or one {@code gone}, make it
 * unhealthy (deleted with reason UNHEALTHY and replaced; not a creation failure).
 *
 * @param interval       between two checks of the same prebuild; positive
 * @param unhealthyAfter consecutive unhealthy answers that make it unhealthy; at least 1
 */
public record Liveness(Duration interval, int unhealthyAfter) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_UNHEALTHY_AFTER = 2;
    public static final int MAX_UNHEALTHY_AFTER = 1000;

    public Liveness {
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("health interval must be positive, got " + interval);
        }
        if (unhealthyAfter < 1 || unhealthyAfter > MAX_UNHEALTHY_AFTER) {
            throw new IllegalArgumentException("unhealthy_after must be between 1 and " + MAX_UNHEALTHY_AFTER
                    + ", got " + unhealthyAfter);
        }
    }
}
