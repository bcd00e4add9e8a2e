package io.warmpool.domain.autoscale;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The build time {@code T} of R13: how long a replacement takes from enqueue to ready, as the 90th percentile by
 * nearest rank of the preset's last creates that became ready; {@link #DEFAULT} while there are none.
 *
 * <p>Nearest rank (the {@code ⌈0.9·n⌉}-th smallest) rather than an interpolated percentile: it is always one of the
 * measured times, so {@code plan} can say "the 9th of 10 builds" and a test can name it exactly.
 */
public final class BuildTime {

    /** Five minutes: R13's build time while no create has become ready yet. */
    public static final Duration DEFAULT = Duration.ofMinutes(5);

    private BuildTime() {
    }

    /**
     * The p90 by nearest rank of {@code times}: the {@code ⌈0.9·n⌉}-th smallest (n = 1 → the only one, n = 10 → the
     * 9th, n = 50 → the 45th); {@link #DEFAULT} when {@code times} is empty.
     *
     * @param times measured enqueue-to-ready times in any order; none null or negative
     */
    public static Duration p90(List<Duration> times) {
        Objects.requireNonNull(times, "times");
        int n = times.size();
        if (n == 0) {
            return DEFAULT;
        }
        Duration[] sorted = times.toArray(new Duration[0]);
        for (Duration d : sorted) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("build times must not be negative, got " + d);
            }
        }
        java.util.Arrays.sort(sorted);
        int rank = (9 * n + 9) / 10; // ⌈9n/10⌉ in integers: no 0.9·n rounding surprises
        return sorted[rank - 1];
    }
}
