package io.warmpool.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
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

    @Property
    void formatReadsBack(@ForAll @LongRange(min = 0, max = 10_000_000_000L) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
