package io.warmpool.domain.backoff;

import static io.warmpool.domain.backoff.CreateOutcome.FAILED;
import static io.warmpool.domain.backoff.CreateOutcome.PERMANENT_FAILURE;
import static io.warmpool.domain.backoff.CreateOutcome.SUCCEEDED;
import static io.warmpool.domain.backoff.CreateOutcome.UNAVAILABLE;
import static io.warmpool.domain.backoff.CreateOutcome.WORKER_LOST;
import static io.warmpool.domain.backoff.PresetStatus.HARD_LIMITED;
import static io.warmpool.domain.backoff.PresetStatus.HEALTHY;
import static io.warmpool.domain.backoff.PresetStatus.VALIDATION_FAILED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FailurePolicyTest {

    private static final Instant T0 = Instant.parse("2025-01-06T09:00:00Z");
    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    private static final BackoffSettings LINEAR_ONE_MINUTE =
            new BackoffSettings(new BackoffPolicy.Linear(ONE_MINUTE), Jitter.NONE);

    /** Limit disabled, so only the backoff rule is at work. */
    private final FailurePolicy noLimit = policy(0);

    private static FailurePolicy policy(int hardLimit) {
        return new FailurePolicy(LINEAR_ONE_MINUTE, hardLimit, new BackoffSettingsTest.NoDraws());
    }

    /** State after {@code failures} failures recorded one minute apart under {@code policy}. */
    private static FailureState failedTimes(FailurePolicy policy, int failures) {
        var state = FailureState.initial();
        for (int i = 0; i < failures; i++) {
            state = policy.recordOutcome(state, FAILED, T0.plus(ONE_MINUTE.multipliedBy(i))).after();
        }
        return state;
    }

    @Test
    void workedExampleOfR3_counterOutlivesTheWindowAndSuccessStartsOver() {
        // given a linear backoff of 1 min, when the create fails at t0, then it backs off until t0+1m
        var state = noLimit.recordOutcome(FailureState.initial(), FAILED, T0).after();
        assertThat(state.retryNotBefore()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(state.inBackoff(T0.plus(Duration.ofSeconds(59)))).isTrue();

        // at t0+1m1s the backoff is over
        var t1 = T0.plus(Duration.ofSeconds(61));
        assertThat(state.inBackoff(t1)).isFalse();

        // fail again → until now+2m (the counter outlived the window)
        state = noLimit.recordOutcome(state, FAILED, t1).after();
        assertThat(state.consecutiveFailures()).isEqualTo(2);
        assertThat(state.retryNotBefore()).isEqualTo(t1.plus(Duration.ofMinutes(2)));

        // 1m later still in backoff; 1m1s after that free
        var oneMinuteLater = t1.plus(Duration.ofMinutes(1));
        assertThat(state.inBackoff(oneMinuteLater)).isTrue();
        var t2 = oneMinuteLater.plus(Duration.ofSeconds(61));
        assertThat(state.inBackoff(t2)).isFalse();

        // fail → now+3m
        state = noLimit.recordOutcome(state, FAILED, t2).after();
        assertThat(state.retryNotBefore()).isEqualTo(t2.plus(Duration.ofMinutes(3)));

        // success → cleared
        var t3 = t2.plus(Duration.ofMinutes(5));
        state = noLimit.recordOutcome(state, SUCCEEDED, t3).after();
        assertThat(state).isEqualTo(FailureState.initial());
        assertThat(state.inBackoff(t3)).isFalse();

        // fail → now+1m again
        var t4 = t3.plus(Duration.ofMinutes(1));
        state = noLimit.recordOutcome(state, FAILED, t4).after();
        assertThat(state.consecutiveFailures()).isEqualTo(1);
        assertThat(state.retryNotBefore()).isEqualTo(t4.plus(Duration.ofMinutes(1)));
    }

    @ParameterizedTest(name = "given {0} earlier failures, when one more fails at t, then it backs off {1} min from t")
    @CsvSource({"0, 1", "1, 2", "2, 3", "9, 10"})
    void givenEarlierFailures_backoffIsThatManyIntervalsPlusOne(int earlier, int expectedMinutes) {
        var now = T0.plus(Duration.ofHours(1));

        var transition = noLimit.recordOutcome(failedTimes(noLimit, earlier), FAILED, now);

        assertThat(transition.after().consecutiveFailures()).isEqualTo(earlier + 1);
        assertThat(transition.after().lastFailureAt()).isEqualTo(now);
        assertThat(transition.after().retryNotBefore()).isEqualTo(now.plus(Duration.ofMinutes(expectedMinutes)));
        assertThat(transition.backoffUntil()).contains(now.plus(Duration.ofMinutes(expectedMinutes)));
    }

    @Test
    void givenThreeFailures_backoffIsThreeIntervals() {
        var state = failedTimes(noLimit, 3);

        assertThat(Duration.between(state.lastFailureAt(), state.retryNotBefore())).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void givenFiveParallelFailures_eachCounts() {
        var state = failedTimes(noLimit, 1);

        for (int i = 0; i < 5; i++) {
            state = noLimit.recordOutcome(state, FAILED, T0.plus(Duration.ofMinutes(2))).after();
        }

        assertThat(state.consecutiveFailures()).isEqualTo(6);
        assertThat(state.retryNotBefore()).isEqualTo(T0.plus(Duration.ofMinutes(2 + 6)));
    }

    @ParameterizedTest(name = "given hard limit {0}, when {1} failures are recorded, then status is {2}")
    @CsvSource({
        "3,  1, HEALTHY",
        "3,  2, HEALTHY",
        "3,  3, HARD_LIMITED",
        "3,  4, HARD_LIMITED",
        "1,  1, HARD_LIMITED",
        "0,  1, HEALTHY",
        "0, 50, HEALTHY",
    })
    void givenHardLimit_statusAfterFailures(int hardLimit, int failures, PresetStatus expected) {
        assertThat(failedTimes(policy(hardLimit), failures).status()).isEqualTo(expected);
    }

    @Test
    void givenDefaultLimitOfThree_theThirdFailureReportsBecomingHardLimited() {
        var limit3 = policy(3);
        var transition = limit3.recordOutcome(failedTimes(limit3, 2), FAILED, T0.plus(Duration.ofMinutes(10)));

        assertThat(transition.becameHardLimited()).isTrue();
        assertThat(transition.counted()).isTrue();
        assertThat(transition.after().consecutiveFailures()).isEqualTo(3);
        // the backoff is still recorded, so a resume or success sees the real history
        assertThat(transition.after().retryNotBefore()).isEqualTo(T0.plus(Duration.ofMinutes(13)));
    }

    @Test
    void givenLimitLoweredBelowK_presetIsNotLimitedUntilItsNextFailure() {
        // given two failures under a limit of 5
        var state = failedTimes(policy(5), 2);
        var lowered = policy(2);

        // when the limit drops to 2, outcomes that are not failures leave the status alone
        assertThat(lowered.recordOutcome(state, UNAVAILABLE, T0.plus(Duration.ofHours(1))).after().status())
                .isEqualTo(HEALTHY);
        assertThat(lowered.recordOutcome(state, WORKER_LOST, T0.plus(Duration.ofHours(1))).after().status())
                .isEqualTo(HEALTHY);

        // then the next failure limits it
        assertThat(lowered.recordOutcome(state, FAILED, T0.plus(Duration.ofHours(1))).after().status())
                .isEqualTo(HARD_LIMITED);
    }

    @Test
    void givenLimitRaisedAboveK_hardLimitedPresetStaysLimitedEvenAfterAnotherFailure() {
        var state = failedTimes(policy(3), 3);
        var raised = policy(10);

        var after = raised.recordOutcome(state, FAILED, T0.plus(Duration.ofHours(1))).after();

        assertThat(after.consecutiveFailures()).isEqualTo(4);
        assertThat(after.status()).isEqualTo(HARD_LIMITED);
    }

    @Test
    void givenLimitDisabledLater_hardLimitedPresetStaysLimited() {
        var state = failedTimes(policy(3), 3);

        assertThat(policy(0).recordOutcome(state, FAILED, T0.plus(Duration.ofHours(1))).after().status())
                .isEqualTo(HARD_LIMITED);
    }

    @ParameterizedTest(name = "given status {0} with k = 3, when a create succeeds, then status is {1} and k is 0")
    @CsvSource({
        "HEALTHY,           HEALTHY",
        "HARD_LIMITED,      HEALTHY",
        "VALIDATION_FAILED, VALIDATION_FAILED",
    })
    void givenStatus_successResetsCounterAndLiftsOnlyTheHardLimit(PresetStatus before, PresetStatus expected) {
        var state = new FailureState(3, T0, T0.plus(Duration.ofMinutes(3)), before);

        var transition = policy(3).recordOutcome(state, SUCCEEDED, T0.plusSeconds(30));

        assertThat(transition.after()).isEqualTo(new FailureState(0, null, null, expected));
        assertThat(transition.after().inBackoff(T0.plusSeconds(30))).isFalse();
        assertThat(transition.cleared()).isTrue();
        assertThat(transition.counted()).isFalse();
        assertThat(transition.backoffUntil()).isEmpty();
    }

    @Test
    void givenHealthyPresetWithoutFailures_successChangesNothing() {
        var transition = policy(3).recordOutcome(FailureState.initial(), SUCCEEDED, T0);

        assertThat(transition.changed()).isFalse();
        assertThat(transition.cleared()).isFalse();
    }

    @ParameterizedTest(name = "given status {0} and k = {1}, when a permanent failure is recorded, then validation_failed and k = {1}+1")
    @CsvSource({
        "HEALTHY,           0",
        "HEALTHY,           1",
        "HARD_LIMITED,      3",
        "VALIDATION_FAILED, 1",
        "VALIDATION_FAILED, 0",
    })
    void givenAnyStatus_permanentFailureSetsValidationFailedAndCounts(PresetStatus before, int k) {
        var state = k == 0
                ? new FailureState(0, null, null, before)
                : new FailureState(k, T0, T0.plus(ONE_MINUTE.multipliedBy(k)), before);
        var now = T0.plus(Duration.ofHours(1));

        var transition = policy(3).recordOutcome(state, PERMANENT_FAILURE, now);

        assertThat(transition.after()).isEqualTo(
                new FailureState(k + 1, now, now.plus(ONE_MINUTE.multipliedBy(k + 1)), VALIDATION_FAILED));
        assertThat(transition.becameValidationFailed()).isEqualTo(before != VALIDATION_FAILED);
        assertThat(transition.becameHardLimited()).isFalse();
    }

    @Test
    void givenValidationFailed_transientFailuresReachingTheLimitKeepValidationFailed() {
        var state = new FailureState(2, T0, T0.plus(Duration.ofMinutes(2)), VALIDATION_FAILED);

        var transition = policy(3).recordOutcome(state, FAILED, T0.plus(Duration.ofHours(1)));

        assertThat(transition.after().status()).isEqualTo(VALIDATION_FAILED);
        assertThat(transition.after().consecutiveFailures()).isEqualTo(3);
        assertThat(transition.becameHardLimited()).isFalse();
    }

    @Test
    void givenHardLimitedPreset_resumeKeepsKSoOneMoreFailureLimitsAtOnce() {
        var limit3 = policy(3);
        var limited = failedTimes(limit3, 3);

        // when the operator resumes it
        var resumed = limit3.resume(limited);

        // then it is healthy, not in backoff, but k and lastFailureAt are kept: the next create is a probe
        assertThat(resumed.after()).isEqualTo(new FailureState(3, limited.lastFailureAt(), null, HEALTHY));
        assertThat(resumed.after().inBackoff(limited.lastFailureAt())).isFalse();
        assertThat(resumed.after().probing()).isTrue();
        assertThat(resumed.cleared()).isTrue();

        // and when that probe fails it is hard-limited again at once
        var now = T0.plus(Duration.ofHours(1));
        var probeFailed = limit3.recordOutcome(resumed.after(), FAILED, now);
        assertThat(probeFailed.after()).isEqualTo(new FailureState(4, now, now.plus(Duration.ofMinutes(4)), HARD_LIMITED));
        assertThat(probeFailed.becameHardLimited()).isTrue();
    }

    @ParameterizedTest(name = "given status {0}, when resumed, then healthy without deadline, k kept")
    @EnumSource(PresetStatus.class)
    void givenAnyStatus_resumeMakesHealthyAndClearsTheDeadline(PresetStatus status) {
        var state = new FailureState(2, T0, T0.plus(Duration.ofMinutes(2)), status);

        var after = policy(3).resume(state).after();

        assertThat(after).isEqualTo(new FailureState(2, T0, null, HEALTHY));
    }

    @ParameterizedTest(name = "given state {0}/{1}, when {2}, then nothing changes")
    @CsvSource({
        "0, HEALTHY,           UNAVAILABLE",
        "0, HEALTHY,           WORKER_LOST",
        "2, HEALTHY,           UNAVAILABLE",
        "2, HEALTHY,           WORKER_LOST",
        "3, HARD_LIMITED,      UNAVAILABLE",
        "3, HARD_LIMITED,      WORKER_LOST",
        "1, VALIDATION_FAILED, UNAVAILABLE",
        "1, VALIDATION_FAILED, WORKER_LOST",
    })
    void givenOutcomeSayingNothingAboutThePreset_stateIsUnchanged(int k, PresetStatus status, CreateOutcome outcome) {
        var state = k == 0
                ? new FailureState(0, null, null, status)
                : new FailureState(k, T0, T0.plus(ONE_MINUTE.multipliedBy(k)), status);

        var transition = policy(1).recordOutcome(state, outcome, T0.plusSeconds(30));

        assertThat(transition.after()).isSameAs(state);
        assertThat(transition.changed()).isFalse();
        assertThat(transition.counted()).isFalse();
        assertThat(transition.cleared()).isFalse();
        assertThat(transition.backoffUntil()).isEmpty();
    }

    @ParameterizedTest(name = "given jitter, when {0} is recorded, then {1} draw(s) are made")
    @CsvSource({
        "FAILED,            1",
        "PERMANENT_FAILURE, 1",
        "SUCCEEDED,         0",
        "UNAVAILABLE,       0",
        "WORKER_LOST,       0",
    })
    void givenJitter_onlyARecordedFailureDrawsAndOnlyOnce(CreateOutcome outcome, int expectedDraws) {
        var random = new CountingRandom(new SplittableRandom(1));
        var jittered = new FailurePolicy(new BackoffSettings(new BackoffPolicy.Linear(ONE_MINUTE), Jitter.FULL), 3, random);
        var state = new FailureState(1, T0, T0.plus(ONE_MINUTE), HEALTHY);

        var after = jittered.recordOutcome(state, outcome, T0.plus(Duration.ofHours(1))).after();
        jittered.resume(after);
        after.inBackoff(T0.plus(Duration.ofHours(2)));

        assertThat(random.draws).isEqualTo(expectedDraws);
    }

    @Test
    void givenFullJitter_theDrawnDelayIsTheRecordedDeadline() {
        var jittered = new FailurePolicy(
                new BackoffSettings(new BackoffPolicy.Linear(ONE_MINUTE), Jitter.FULL), 0, new BackoffSettingsTest.Extreme(false));

        var after = jittered.recordOutcome(FailureState.initial(), FAILED, T0).after();

        // the lowest draw of FULL is 0 ms: the deadline is the failure instant, which is not backoff
        assertThat(after.retryNotBefore()).isEqualTo(T0);
        assertThat(after.inBackoff(T0)).isFalse();
    }

    @Test
    void givenNegativeHardLimit_policyIsRejectedNamingTheSetting() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FailurePolicy(BackoffSettings.defaults(), -1, new SplittableRandom(1)))
                .withMessageContaining("failure-hard-limit");
    }

    @Test
    void givenSettings_policyExposesThem() {
        var policy = new FailurePolicy(LINEAR_ONE_MINUTE, 3, new SplittableRandom(1));

        assertThat(policy.hardLimit()).isEqualTo(3);
        assertThat(policy.backoff()).isEqualTo(LINEAR_ONE_MINUTE);
    }

    @Test
    void givenCountAtIntegerMax_anotherFailureSaturatesInsteadOfWrapping() {
        var state = new FailureState(Integer.MAX_VALUE, T0, T0.plusSeconds(1), HARD_LIMITED);

        var after = noLimit.recordOutcome(state, FAILED, T0.plus(Duration.ofHours(1))).after();

        assertThat(after.consecutiveFailures()).isEqualTo(Integer.MAX_VALUE);
        assertThat(after.lastFailureAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    /** Counts draws so tests can tell when jitter is drawn. */
    static final class CountingRandom implements RandomGenerator {
        private final RandomGenerator delegate;
        int draws;

        CountingRandom(RandomGenerator delegate) {
            this.delegate = delegate;
        }

        @Override
        public long nextLong() {
            draws++;
            return delegate.nextLong();
        }

        @Override
        public long nextLong(long origin, long bound) {
            draws++;
            return delegate.nextLong(origin, bound);
        }
    }
}
