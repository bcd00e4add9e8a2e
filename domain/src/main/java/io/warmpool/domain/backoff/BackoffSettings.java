package io.warmpool.domain.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The configured backoff: a {@link BackoffPolicy} and the {@link Jitter} applied after its cap (SPEC R3).
 *
 * @param policy the delay before jitter
 * @param jitter how the delay is randomized; {@link Jitter#NONE} keeps it as is
 */
public record BackoffSettings(BackoffPolicy policy, Jitter jitter) {

    /** @throws NullPointerException when {@code policy} or {@code jitter} is null */
    public BackoffSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(jitter, "jitter");
    }

    /** The defaults of SPEC R3: linear with a 15 s interval, no jitter. */
    public static BackoffSettings defaults() {
        return new BackoffSettings(new BackoffPolicy.Linear(Duration.ofSeconds(15)), Jitter.NONE);
    }

    /**
     * The delay after the {@code k}-th consecutive failure: {@code d = policy.delay(k)}, then the jitter, a whole
     * number of milliseconds drawn uniformly with inclusive bounds: {@link Jitter#FULL} in {@code [0, d]},
     * {@link Jitter#EQUAL} in {@code [ceil(d/2), d]}. {@link Jitter#NONE} returns {@code d} and draws nothing,
     * so it leaves {@code random} untouched. Exactly one draw otherwise.
     *
     * <p>Not synchronized: a caller sharing {@code random} between threads serializes the calls itself
     * ({@link FailurePolicy} does).
     *
     * @param k      the consecutive failure count, {@code k >= 1}
     * @param random the source of the draw
     * @throws IllegalArgumentException when {@code k < 1}
     */
    public Duration delay(int k, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        long d = policy.delay(k).toMillis();
        return switch (jitter) {
            case NONE -> Duration.ofMillis(d);
            case FULL -> Duration.ofMillis(uniformInclusive(random, 0, d));
            case EQUAL -> Duration.ofMillis(uniformInclusive(random, d - d / 2, d));
        };
    }

    /** A uniform draw in {@code [low, high]}, {@code 0 <= low <= high}, even when {@code high} is {@link Long#MAX_VALUE}. */
    static long uniformInclusive(RandomGenerator random, long low, long high) {
        if (high < Long.MAX_VALUE) {
            return random.nextLong(low, high + 1);
        }
        // high + 1 would overflow; shift the range down by one instead (low >= 0, so low - 1 cannot).
        return random.nextLong(low - 1, high) + 1;
    }
}
