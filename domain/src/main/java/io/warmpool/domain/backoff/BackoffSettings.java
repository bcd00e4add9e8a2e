package io.warmpool.domain.backoff;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** STUB — replaced by the backoff work. */
public record BackoffSettings(BackoffPolicy policy, Jitter jitter) {

    public static BackoffSettings defaults() {
        return new BackoffSettings(new BackoffPolicy.Linear(Duration.ofSeconds(15)), Jitter.NONE);
    }

    public Duration delay(int k, RandomGenerator random) {
        throw new UnsupportedOperationException("stub");
    }
}
