package io.warmpool.domain.backoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffSettingsTest {

    @Test
    void givenDefaults_delayIsLinearFifteenSecondsWithoutJitter() {
        var settings = BackoffSettings.defaults();

        assertThat(settings.policy()).isEqualTo(new BackoffPolicy.Linear(Duration.ofSeconds(15)));
        assertThat(settings.jitter()).isEqualTo(Jitter.NONE);
        assertThat(settings.delay(3, new NoDraws())).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void givenNoJitter_delayDrawsNothing() {
        var settings = new BackoffSettings(new BackoffPolicy.Linear(Duration.ofSeconds(1)), Jitter.NONE);

        // NoDraws fails the test on any draw.
        assertThat(settings.delay(7, new NoDraws())).isEqualTo(Duration.ofSeconds(7));
    }

    @ParameterizedTest(name = "given {0} jitter and d = {1} ms, when drawing, then every value in [{2}, {3}] ms and nothing else comes out")
    @CsvSource({
        "FULL,  1, 0, 1",
        "FULL,  4, 0, 4",
        "FULL,  5, 0, 5",
        "EQUAL, 1, 1, 1",
        "EQUAL, 2, 1, 2",
        "EQUAL, 4, 2, 4",
        "EQUAL, 5, 3, 5",
        "EQUAL, 7, 4, 7",
    })
    void givenJitter_drawsCoverExactlyTheInclusiveBounds(Jitter jitter, long d, long low, long high) {
        var settings = new BackoffSettings(new BackoffPolicy.Linear(Duration.ofMillis(d)), jitter);
        var random = new SplittableRandom(20250106L);

        var seen = new TreeSet<Long>();
        for (int i = 0; i < 2_000; i++) {
            seen.add(settings.delay(1, random).toMillis());
        }

        assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(low, high).boxed().toList());
    }

    @ParameterizedTest(name = "given {0} jitter over d = {1} ms, when the source draws its {2} value, then the delay is {3} ms")
    @CsvSource({
        "FULL,  60000,               lowest,  0",
        "FULL,  60000,               highest, 60000",
        "EQUAL, 60001,               lowest,  30001",
        "EQUAL, 60001,               highest, 60001",
        "FULL,  9223372036854775807, lowest,  0",
        "FULL,  9223372036854775807, highest, 9223372036854775807",
        "EQUAL, 9223372036854775807, lowest,  4611686018427387904",
        "EQUAL, 9223372036854775807, highest, 9223372036854775807",
    })
    void givenExtremeDraws_jitteredDelayReachesBothInclusiveBounds(Jitter jitter, long d, String end, long expected) {
        var settings = new BackoffSettings(new BackoffPolicy.Linear(Duration.ofMillis(d)), jitter);

        assertThat(settings.delay(1, new Extreme(end.equals("highest")))).isEqualTo(Duration.ofMillis(expected));
    }

    @Test
    void givenSameSeed_sameDelaysAreDrawn() {
        var settings = new BackoffSettings(
                new BackoffPolicy.Exponential(Duration.ofSeconds(1), Duration.ofMinutes(10), new BigDecimal("1.5")),
                Jitter.FULL);

        assertThat(draws(settings, new SplittableRandom(42))).isEqualTo(draws(settings, new SplittableRandom(42)));
    }

    private static List<Duration> draws(BackoffSettings settings, RandomGenerator random) {
        var result = new ArrayList<Duration>();
        for (int k = 1; k <= 20; k++) {
            result.add(settings.delay(k, random));
        }
        return result;
    }

    /** A source that must not be used. */
    static final class NoDraws implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new AssertionError("no draw expected");
        }
    }

    /** Always draws the lowest or the highest value of the requested range. */
    record Extreme(boolean highest) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new AssertionError("only bounded draws expected");
        }

        @Override
        public long nextLong(long origin, long bound) {
            return highest ? bound - 1 : origin;
        }
    }
}
