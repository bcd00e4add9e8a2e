package io.warmpool.domain.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureStateTest {

    private static final Instant T0 = Instant.parse("2025-01-06T09:00:00Z");
    private static final Instant DEADLINE = T0.plusSeconds(60);

    @Test
    void givenInitialState_nothingHasFailed() {
        var state = FailureState.initial();

        assertThat(state).isEqualTo(new FailureState(0, null, null, PresetStatus.HEALTHY));
        assertThat(state.inBackoff(T0)).isFalse();
        assertThat(state.backoffUntil(T0)).isEmpty();
        assertThat(state.probing()).isFalse();
    }

    @ParameterizedTest(name = "given a deadline of t0+60s, when asked at t0{0}ms, then in backoff = {1}")
    @CsvSource({
        "+0,     true",
        "+59999, true",
        "+60000, false",
        "+60001, false",
        "-1,     true",
    })
    void givenRecordedDeadline_backoffEndsExactlyAtIt(long offsetMillis, boolean expected) {
        var state = new FailureState(1, T0, DEADLINE, PresetStatus.HEALTHY);
        var now = DEADLINE.plusMillis(offsetMillis - 60_000);

        assertThat(state.inBackoff(now)).isEqualTo(expected);
        assertThat(state.backoffUntil(now)).isEqualTo(expected ? Optional.of(DEADLINE) : Optional.empty());
    }

    @Test
    void givenResumedState_withoutDeadline_isNotInBackoffButStillProbes() {
        var state = new FailureState(4, T0, null, PresetStatus.HEALTHY);

        assertThat(state.inBackoff(T0)).isFalse();
        assertThat(state.backoffUntil(T0)).isEmpty();
        assertThat(state.probing()).isTrue();
    }

    @Test
    void givenDeadlinePassed_theNextCreateIsStillAProbe() {
        var state = new FailureState(2, T0, DEADLINE, PresetStatus.HEALTHY);

        assertThat(state.inBackoff(DEADLINE)).isFalse();
        assertThat(state.probing()).isTrue();
    }

    @Test
    void givenNegativeCount_stateIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FailureState(-1, T0, DEADLINE, PresetStatus.HEALTHY))
                .withMessageContaining("consecutiveFailures");
    }

    @ParameterizedTest(name = "given k = 0 with lastFailureAt {0} and retryNotBefore {1}, then rejected")
    @CsvSource({
        "2025-01-06T09:00:00Z, ",
        ",                     2025-01-06T09:01:00Z",
        "2025-01-06T09:00:00Z, 2025-01-06T09:01:00Z",
    })
    void givenZeroCountWithFailureInstants_stateIsRejected(Instant lastFailureAt, Instant retryNotBefore) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FailureState(0, lastFailureAt, retryNotBefore, PresetStatus.HEALTHY));
    }

    @Test
    void givenNoStatus_stateIsRejected() {
        assertThatNullPointerException().isThrownBy(() -> new FailureState(0, null, null, null))
                .withMessageContaining("status");
    }
}
