package io.warmpool.domain.backoff;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;

/**
 * How long a preset backs off after its {@code k}-th consecutive failed create, before jitter (SPEC R3).
 *
 * <p>Every implementation guarantees: {@code delay(k)} is a whole number of milliseconds, at least one
 * millisecond, at most {@link #MAX_DELAY}, and non-decreasing in {@code k}. Implementations are immutable
 * and thread-safe.
 */
public sealed interface BackoffPolicy permits BackoffPolicy.Linear, BackoffPolicy.Exponential {

    /**
     * The largest delay any policy returns: {@link Long#MAX_VALUE} milliseconds, the largest whole-millisecond
     * duration that still fits an epoch-millisecond {@code long}. Delays saturate here instead of overflowing.
     */
    Duration MAX_DELAY = Duration.ofMillis(Long.MAX_VALUE);

    /**
     * The delay after the {@code k}-th consecutive failure, before jitter.
     *
     * @param k the consecutive failure count including the failure just recorded, {@code k >= 1}
     * @return a whole number of milliseconds in {@code [1 ms, MAX_DELAY]}
     * @throws IllegalArgumentException when {@code k < 1}
     */
    Duration delay(int k);

    /**
     * {@code delay(k) = interval × k}, saturating at {@link #MAX_DELAY}. The default policy.
     *
     * @param interval the {@code backoff-interval}: positive, a whole number of milliseconds
     */
    record Linear(Duration interval) implements BackoffPolicy {

        /** @throws IllegalArgumentException naming {@code backoff-interval} when it is not positive whole milliseconds */
        public Linear {
            requirePositiveMillis("backoff-interval", interval);
        }

        @Override
        public Duration delay(int k) {
            requireK(k);
            long millis;
            try {
                millis = Math.multiplyExact(interval.toMillis(), k);
            } catch (ArithmeticException overflow) {
                millis = Long.MAX_VALUE;
            }
            return Duration.ofMillis(millis);
        }
    }

    /**
     * {@code delay(k) = min(max, floor(interval × multiplier^(k−1)))}, computed exactly in decimal arithmetic.
     *
     * <p>"Exactly" means the result is the floor of the true decimal product, never of a binary floating-point
     * approximation, so {@code 1000 ms × 1.5^2} is 2250 ms and {@code 1001 ms × 1.5} is 1501 ms. The cost is
     * bounded for every {@code k} and multiplier (see {@link #delay(int)}).
     *
     * @param interval   the {@code backoff-interval}: positive, a whole number of milliseconds
     * @param max        the {@code backoff-max}: a whole number of milliseconds, at least {@code interval}
     * @param multiplier the {@code backoff-multiplier}: at least 1
     */
    record Exponential(Duration interval, Duration max, BigDecimal multiplier) implements BackoffPolicy {

        /** Precision, in decimal digits, of the first attempt; twice the digits of any delay in milliseconds. */
        private static final int INITIAL_PRECISION = 40;

        /**
         * @throws IllegalArgumentException naming {@code backoff-interval}, {@code backoff-max} or
         *                                  {@code backoff-multiplier} when that value is out of range
         */
        public Exponential {
            requirePositiveMillis("backoff-interval", interval);
            requirePositiveMillis("backoff-max", max);
            Objects.requireNonNull(multiplier, "backoff-multiplier");
            if (max.compareTo(interval) < 0) {
                throw new IllegalArgumentException(
                        "backoff-max must be at least backoff-interval (" + interval + "), got " + max);
            }
            if (multiplier.compareTo(BigDecimal.ONE) < 0) {
                throw new IllegalArgumentException("backoff-multiplier must be at least 1, got " + multiplier);
            }
        }

        /**
         * {@inheritDoc}
         *
         * <p>The exact product can have billions of digits for a multiplier close to 1 and a huge {@code k}, so it
         * is never built. Instead a lower and an upper bound of it are computed by square-and-multiply with
         * directed rounding at a fixed precision, stopping as soon as the lower bound reaches {@code max}; when
         * both bounds have the same floor, that floor is the exact answer. Otherwise (the product lies within
         * rounding error of a whole millisecond) the precision doubles and it tries again, which ends because
         * at high enough precision the bounds become the exact value.
         */
        @Override
        public Duration delay(int k) {
            requireK(k);
            long intervalMillis = interval.toMillis();
            long maxMillis = max.toMillis();
            for (int precision = INITIAL_PRECISION; ; precision *= 2) {
                BigDecimal[] bounds = productBounds(intervalMillis, maxMillis, k - 1, precision);
                if (bounds == null) {
                    return max;
                }
                BigDecimal floorOfLower = bounds[0].setScale(0, RoundingMode.FLOOR);
                if (bounds[1].compareTo(floorOfLower.add(BigDecimal.ONE)) < 0) {
                    // true value in [lower, upper] ⊂ [floor, floor + 1), and floor <= lower < max
                    return Duration.ofMillis(floorOfLower.longValueExact());
                }
            }
        }

        /**
         * Bounds {@code {lower, upper}} of {@code intervalMillis × multiplier^exponent}, or {@code null} when
         * that value is certainly at least {@code maxMillis}. Every intermediate stays below about
         * {@code maxMillis²}, so scales never overflow whatever the exponent.
         */
        private BigDecimal[] productBounds(long intervalMillis, long maxMillis, int exponent, int precision) {
            MathContext down = new MathContext(precision, RoundingMode.FLOOR);
            MathContext up = new MathContext(precision, RoundingMode.CEILING);
            BigDecimal cap = BigDecimal.valueOf(maxMillis);
            BigDecimal start = BigDecimal.valueOf(intervalMillis);
            BigDecimal lower = start;
            BigDecimal upper = start;
            BigDecimal baseLower = multiplier.round(down);
            BigDecimal baseUpper = multiplier.round(up);
            int remaining = exponent;
            while (remaining != 0) {
                if ((remaining & 1) != 0) {
                    lower = lower.multiply(baseLower, down);
                    upper = upper.multiply(baseUpper, up);
                    if (lower.compareTo(cap) >= 0) {
                        return null;
                    }
                }
                remaining >>>= 1;
                if (remaining != 0) {
                    baseLower = baseLower.multiply(baseLower, down);
                    baseUpper = baseUpper.multiply(baseUpper, up);
                    // A set bit remains, so this power (multiplier >= 1) is a factor of the product.
                    if (start.multiply(baseLower).compareTo(cap) >= 0) {
                        return null;
                    }
                }
            }
            return new BigDecimal[] {lower, upper};
        }
    }

    private static void requireK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    private static void requirePositiveMillis(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
        if (value.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(field + " must be a whole number of milliseconds, got " + value);
        }
        if (value.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_DELAY + ", got " + value);
        }
    }
}
