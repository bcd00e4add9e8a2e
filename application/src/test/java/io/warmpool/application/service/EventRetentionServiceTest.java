package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.fakes.FakeEventLog;
import io.warmpool.application.fakes.FakeStore;
import io.warmpool.application.fakes.MutableClock;
import io.warmpool.application.fakes.RecordingMetrics;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import io.warmpool.application.port.out.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pruning the event log: what is kept, how much one run may do, when runs are due, and under which lock. */
class EventRetentionServiceTest {

    static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    static final Duration DAY = Duration.ofDays(1);

    private final MutableClock clock = new MutableClock(T0);
    private final FakeStore lock = new FakeStore();
    private final FakeEventLog log = new FakeEventLog();
    private final RecordingMetrics metrics = new RecordingMetrics();

    private EventRetentionService service(EventRetentionSettings settings) {
        return new EventRetentionService(clock, lock, log, metrics, settings);
    }

    /** Keeps a day; batches of 10, at most 3 per run, a run every 5 minutes, 1 s of budget. */
    private EventRetentionService small() {
        return service(new EventRetentionSettings(DAY, Duration.ofMinutes(5), 10, 3, Duration.ofSeconds(1)));
    }

    @Test
    void givenEventsOnBothSidesOfTheRetention_theOlderArePruned_theRestKept_underTheLock() {
        // given: 5 events from two days ago, one exactly a day old, 4 younger
        log.add(T0.minus(DAY.multipliedBy(2)), 5, 60);
        log.add(T0.minus(DAY), 5, 60);
        List<Boolean> lockHeldDuringCalls = new ArrayList<>();
        log.afterEachCall = n -> lockHeldDuringCalls.add(lock.lockHeld());

        // when
        long deleted = small().pruneIfDue();

        // then: the five older than now − retention are gone; the cutoff itself and younger are kept
        assertThat(deleted).isEqualTo(5);
        assertThat(log.events).hasSize(5).first().isEqualTo(T0.minus(DAY));
        assertThat(log.calls).extracting(FakeEventLog.Call::before).containsOnly(T0.minus(DAY));
        // and: every statement ran under the reconciliation lock, released afterwards
        assertThat(lockHeldDuringCalls).isNotEmpty().containsOnly(true);
        assertThat(lock.lockHeld()).isFalse();
    }

    @Test
    void givenABacklogOfSeveralRuns_eachRunIsBoundedInStatements_andTheNextRunIsDueAtOnce() {
        // given: 75 old events; runs of at most 3 statements of 10
        log.add(T0.minus(DAY.multipliedBy(3)), 75, 1);
        EventRetentionService service = small();

        // when: three calls at the same instant (after three passes)
        long first = service.pruneIfDue();
        long second = service.pruneIfDue();
        long third = service.pruneIfDue();
        long fourth = service.pruneIfDue();

        // then: 30, 30, then the 15 left; no call ever asks for more than 10; then nothing is due for 5 minutes
        assertThat(List.of(first, second, third, fourth)).containsExactly(30L, 30L, 15L, 0L);
        assertThat(metrics.eventsPruned()).containsExactly(30L, 30L, 15L);
        assertThat(log.calls).extracting(FakeEventLog.Call::limit).containsOnly(10);
        assertThat(log.calls).extracting(FakeEventLog.Call::deleted).containsExactly(10, 10, 10, 10, 10, 10, 10, 5);
        assertThat(log.events).isEmpty();
    }

    @Test
    void givenSlowStatements_aRunStopsOnceItsBudgetIsSpent() {
        // given: 100 old events; each statement takes 600 ms by the clock; budget 1 s
        log.add(T0.minus(DAY.multipliedBy(3)), 100, 1);
        log.afterEachCall = n -> clock.advance(Duration.ofMillis(600));

        // when
        long deleted = small().pruneIfDue();

        // then: the second statement crossed the budget, so no third
        assertThat(deleted).isEqualTo(20);
        assertThat(log.calls).hasSize(2);
    }

    @Test
    void afterARunWithNoBacklog_theNextIsDueEveryFiveMinutes_withTheCutoffMoved() {
        // given: one run done at T0
        log.add(T0.minus(DAY.multipliedBy(2)), 3, 60);
        EventRetentionService service = small();
        service.pruneIfDue();
        log.add(T0.minus(DAY), 2, 60);

        // when / then: not due a moment before five minutes
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(service.pruneIfDue()).isZero();
        assertThat(log.calls).hasSize(1);

        // and: due at five minutes, with the cutoff five minutes later
        clock.advance(Duration.ofMillis(1));
        assertThat(service.pruneIfDue()).isEqualTo(2);
        assertThat(log.calls).extracting(FakeEventLog.Call::before)
                .containsExactly(T0.minus(DAY), T0.plus(Duration.ofMinutes(5)).minus(DAY));
    }

    @Test
    void whileAnotherReplicaHoldsTheLock_nothingIsPruned_andTheRunIsTriedAtTheNextCall() {
        log.add(T0.minus(DAY.multipliedBy(2)), 3, 60);
        EventRetentionService service = small();
        HeldLock elsewhere = lock.holdLockElsewhere();

        assertThat(service.pruneIfDue()).isZero();
        assertThat(log.calls).isEmpty();

        elsewhere.close();
        assertThat(service.pruneIfDue()).isEqualTo(3);
    }

    @Test
    void givenRetentionZero_nothingIsEverPruned_andTheLockIsNeverTaken() {
        log.add(T0.minus(DAY.multipliedBy(400)), 3, 60);
        HeldLock elsewhere = lock.holdLockElsewhere();
        EventRetentionService service = service(EventRetentionSettings.keeping(Duration.ZERO));

        // the lock is held elsewhere: had the service tried it, it would have failed; it does not even try
        assertThat(service.pruneIfDue()).isZero();
        elsewhere.close();
        assertThat(service.pruneIfDue()).isZero();

        assertThat(log.calls).isEmpty();
        assertThat(log.events).hasSize(3);
        assertThat(lock.lockHeld()).isFalse();
    }

    @Test
    void whenTheStoreFails_theErrorIsRaised_theLockReleased_andTheRunDueAgainAtTheNextCall() {
        log.add(T0.minus(DAY.multipliedBy(2)), 3, 60);
        EventRetentionService service = small();
        log.failing = true;

        assertThatThrownBy(service::pruneIfDue).isInstanceOf(StoreUnavailableException.class);
        assertThat(lock.lockHeld()).isFalse();

        log.failing = false;
        assertThat(service.pruneIfDue()).isEqualTo(3);
    }

    @Test
    void theDefaults_keepThirtyDays_inBatchesOfTheLargestSize() {
        assertThat(EventRetentionSettings.DEFAULTS.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(EventRetentionSettings.DEFAULTS.batchSize()).isEqualTo(10_000);
        log.add(T0.minus(Duration.ofDays(31)), 2, 60);
        log.add(T0.minus(Duration.ofDays(29)), 2, 60);

        assertThat(service(EventRetentionSettings.DEFAULTS).pruneIfDue()).isEqualTo(2);
        assertThat(log.calls).extracting(FakeEventLog.Call::before).containsExactly(T0.minus(Duration.ofDays(30)));
    }

    @Test
    void aRetentionBelowOneHourOtherThanZero_isRejected() {
        assertThatThrownBy(() -> EventRetentionSettings.keeping(Duration.ofMinutes(59)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("events-retention");
        assertThatThrownBy(() -> EventRetentionSettings.keeping(Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> EventRetentionSettings.keeping(Duration.ZERO)).doesNotThrowAnyException();
        assertThatCode(() -> EventRetentionSettings.keeping(Duration.ofHours(1))).doesNotThrowAnyException();
        assertThatThrownBy(() -> new EventRetentionSettings(DAY, Duration.ofMinutes(5), 10_001, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
