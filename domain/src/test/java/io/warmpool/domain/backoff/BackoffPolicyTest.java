package io.warmpool.domain.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffPolicyTest {

    @ParameterizedTest(name = "given interval {0} ms, when k = {1}, then delay is {2} ms")
    @CsvSource({
        "60000,      1,          60000",
        "60000,      2,         120000",
        "60000,      3,         180000",
        "15000,      4,          60000",
        "1,          2147483647, 2147483647",
        "1000000000, 2147483647, 2147483647000000000",
    })
    void givenLinearPolicy_delayIsIntervalTimesK(long intervalMillis, int k, long expectedMillis) {
        var policy = new BackoffPolicy.Linear(Duration.ofMillis(intervalMillis));

        assertThat(policy.delay(k)).isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @ParameterizedTest(name = "given interval {0} ms, when k = {1}, then delay saturates")
    @CsvSource({
        "4611686018427387904, 2",
        "9223372036854775807, 2147483647",
        "5000000000,          2147483647",
    })
    void givenProductBeyondLongMillis_linearDelaySaturatesAtMaxDelay(long intervalMillis, int k) {
        var policy = new BackoffPolicy.Linear(Duration.ofMillis(intervalMillis));

        assertThat(policy.delay(k)).isEqualTo(BackoffPolicy.MAX_DELAY);
    }

    @ParameterizedTest(name = "given interval {0} ms, max {1} ms, multiplier {2}, when k = {3}, then delay is {4} ms")
    @CsvSource({
        // doubling, then the cap
        "1000, 60000, 2,    1, 1000",
        "1000, 60000, 2,    2, 2000",
        "1000, 60000, 2,    4, 8000",
        "1000, 60000, 2,    6, 32000",
        "1000, 60000, 2,    7, 60000",
        // 1.5: exact decimal, floored to whole ms
        "1000, 60000, 1.5,  2, 1500",
        "1000, 60000, 1.5,  3, 2250",
        "1000, 60000, 1.5,  5, 5062",
        "1000, 60000, 1.5,  6, 7593",
        "1001, 60000, 1.5,  2, 1501",
        // binary floating point would give 2889 and 114: the product must be exact decimal
        "1000, 60000, 1.7,  3, 2890",
        "100,  60000, 1.15, 2, 115",
        // multiplier 1 never grows; max equal to interval always caps
        "1000, 60000, 1,    2147483647, 1000",
        "1000, 1000,  3,    5, 1000",
        // huge k: capped without multiplying k times
        "1000, 60000, 2,    2147483647, 60000",
        "1000, 60000, 1.000001, 2147483647, 60000",
        "1,    9223372036854775807, 1.5, 2147483647, 9223372036854775807",
        // k − 1 a lone high power of two: only squaring happens, so the cap must be noticed on the squared base
        "1000, 60000, 1000000000, 1073741825, 60000",
        "1,    9223372036854775807, 1000000000, 1073741825, 9223372036854775807",
        // huge k, multiplier close to 1, still under the cap: 1000 × 1.000000001^1e9 = 2718.28…
        "1000, 9223372036854775807, 1.000000001, 1000000001, 2718",
    })
    void givenExponentialPolicy_delayIsFlooredExactProductCappedAtMax(
            long intervalMillis, long maxMillis, BigDecimal multiplier, int k, long expectedMillis) {
        var policy = new BackoffPolicy.Exponential(
                Duration.ofMillis(intervalMillis), Duration.ofMillis(maxMillis), multiplier);

        assertThat(policy.delay(k)).isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @ParameterizedTest(name = "given k = {0}, then both policies reject it")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void givenKBelowOne_delayIsRejected(int k) {
        var linear = new BackoffPolicy.Linear(Duration.ofSeconds(1));
        var exponential = new BackoffPolicy.Exponential(Duration.ofSeconds(1), Duration.ofMinutes(1), BigDecimal.valueOf(2));

        assertThatIllegalArgumentException().isThrownBy(() -> linear.delay(k)).withMessageContaining("k");
        assertThatIllegalArgumentException().isThrownBy(() -> exponential.delay(k)).withMessageContaining("k");
    }

    @ParameterizedTest(name = "given backoff-interval {0}, then Linear rejects it")
    @ValueSource(strings = {"PT0S", "PT-1S", "PT0.0015S", "PT0.000001S"})
    void givenIntervalNotPositiveWholeMillis_linearIsRejectedNamingTheField(String interval) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackoffPolicy.Linear(Duration.parse(interval)))
                .withMessageContaining("backoff-interval");
    }

    @Test
    void givenIntervalBeyondLongMillis_linearIsRejectedNamingTheField() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackoffPolicy.Linear(BackoffPolicy.MAX_DELAY.plusMillis(1)))
                .withMessageContaining("backoff-interval");
    }

    @ParameterizedTest(name = "given interval {0}, max {1}, multiplier {2}, then the message names {3}")
    @CsvSource({
        "PT0S,      PT1M,      2,     backoff-interval",
        "PT-1S,     PT1M,      2,     backoff-interval",
        "PT0.0005S, PT1M,      2,     backoff-interval",
        "PT1M,      PT59S,     2,     backoff-max",
        "PT1S,      PT1.0005S, 2,     backoff-max",
        "PT1S,      PT1M,      0.999, backoff-multiplier",
        "PT1S,      PT1M,      0,     backoff-multiplier",
        "PT1S,      PT1M,      -2,    backoff-multiplier",
    })
    void givenOutOfRangeSetting_exponentialIsRejectedNamingTheField(
            String interval, String max, BigDecimal multiplier, String field) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackoffPolicy.Exponential(Duration.parse(interval), Duration.parse(max), multiplier))
                .withMessageContaining(field);
    }

    @Test
    void givenMissingSettings_policiesAreRejectedNamingTheField() {
        assertThatNullPointerException().isThrownBy(() -> new BackoffPolicy.Linear(null))
                .withMessageContaining("backoff-interval");
        assertThatNullPointerException()
                .isThrownBy(() -> new BackoffPolicy.Exponential(Duration.ofSeconds(1), null, BigDecimal.valueOf(2)))
                .withMessageContaining("backoff-max");
        assertThatNullPointerException()
                .isThrownBy(() -> new BackoffPolicy.Exponential(Duration.ofSeconds(1), Duration.ofMinutes(1), null))
                .withMessageContaining("backoff-multiplier");
    }
}
