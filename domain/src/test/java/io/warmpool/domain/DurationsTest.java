package io.warmpool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"15s,15000", "1m30s,90000", "24h,86400000", "250ms,250", "0,0", "2d,172800000", "1h1m1s1ms,3661001", " 10m ,600000"})
    void parsesOperatorDurations(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "1.5s", "-1s", "s", "15 s", "1y", "PT15S", "99999999999999999999d"})
    void rejectsAnythingElseWithTheAcceptedForm(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*(15s|too long).*");
    }

    @Test
    void formatReadsBack() {
        // the range's edges and short durations mixed in on purpose: units carry over there
        Gen<Long> millis = Gen.frequency(
                Gen.weighted(1, Gen.of(0L, 1L, 999L, 1_000L, 59_999L, 60_000L, 3_600_000L, 86_400_000L, 10_000_000_000L)),
                Gen.weighted(2, Gen.longs(0, 100_000)),
                Gen.weighted(7, Gen.longs(0, 10_000_000_000L)));
        Property.forAll(8701, 1_000, millis, ms -> {
            Duration d = Duration.ofMillis(ms);
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        });
    }
}
