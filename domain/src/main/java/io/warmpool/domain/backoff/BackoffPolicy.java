package io.warmpool.domain.backoff;

import java.math.BigDecimal;
import java.time.Duration;

/** STUB — replaced by the backoff work. */
public sealed interface BackoffPolicy permits BackoffPolicy.Linear, BackoffPolicy.Exponential {

    Duration delay(int k);

    record Linear(Duration interval) implements BackoffPolicy {
        @Override
        public Duration delay(int k) {
            throw new UnsupportedOperationException("stub");
        }
    }

    record Exponential(Duration interval, Duration max, BigDecimal multiplier) implements BackoffPolicy {
        @Override
        public Duration delay(int k) {
            throw new UnsupportedOperationException("stub");
        }
    }
}
