package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.http.ReadinessCheck.Result;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.domain.PresetRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz}'s cluster part: not ready when no replica has run a pass for more than three reconcile intervals,
 * counted from the last recorded pass, this replica's loop start, or the last time a probe saw a pause.
 */
class ClusterPassReadinessTest {

    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    static final Duration INTERVAL = Duration.ofSeconds(15);

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovingClock clock = new MovingClock();
    Optional<PresetHistoryUseCase.LastPass> lastPass = Optional.empty();
    boolean paused;
    Optional<Instant> loopStartedAt = Optional.of(T0);

    final PresetHistoryUseCase history = new PresetHistoryUseCase() {
        @Override
        public Optional<LastPass> lastPass() {
            return lastPass;
        }

        @Override
        public PresetActivity activity(PresetRef ref, Duration history) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.warmpool.application.port.in.Page<PresetBuild> recentBuilds(PresetRef ref, String cursor, int limit) {
            throw new UnsupportedOperationException();
        }
    };

    final PauseReconciliationUseCase pause = new PauseReconciliationUseCase() {
        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
        }

        @Override
        public boolean isPaused() {
            return paused;
        }
    };

    final ClusterPassReadiness readiness = new ClusterPassReadiness(history, pause, clock, INTERVAL, () -> loopStartedAt);

    void passAt(Instant at, String replica) {
        lastPass = Optional.of(new PresetHistoryUseCase.LastPass(at, Duration.ofMillis(40), replica, 3, 0, 0, 0, 0));
    }

    void at(Duration sinceT0) {
        clock.now = T0.plus(sinceT0);
    }

    @Test
    void aPassWithinThreeIntervals_ready_namingIt() {
        passAt(T0.plusSeconds(60), "replica-b");
        at(Duration.ofSeconds(60 + 45));

        assertThat(readiness.check()).isEqualTo(Result.ready("last pass started 2026-12-06T10:01:00Z by replica-b"));
    }

    @Test
    void noPassAnywhereForMoreThanThreeIntervals_notReady_withTheAgeAndTheLastPass() {
        passAt(T0.plusSeconds(60), "replica-b");
        at(Duration.ofSeconds(60 + 45).plusMillis(1));

        Result r = readiness.check();

        assertThat(r.ready()).isFalse();
        assertThat(r.detail()).isEqualTo("no reconciliation pass on any replica for 45s1ms, more than 3 reconcile intervals"
                + " (45s); last pass started 2026-12-06T10:01:00Z by replica-b");
    }

    @Test
    void aReplicaThatJustStarted_getsThreeIntervalsOfGrace_evenWithAnOldLastPass() {
        passAt(T0.minus(Duration.ofHours(5)), "replica-gone");
        loopStartedAt = Optional.of(T0.plusSeconds(100));

        at(Duration.ofSeconds(100 + 45));
        assertThat(readiness.check().ready()).isTrue();

        at(Duration.ofSeconds(100 + 46));
        assertThat(readiness.check().ready()).isFalse();
    }

    @Test
    void noPassEverRecorded_countsFromTheLoopStart() {
        at(Duration.ofSeconds(30));
        assertThat(readiness.check()).isEqualTo(Result.ready("no pass recorded"));

        at(Duration.ofSeconds(46));
        assertThat(readiness.check().detail()).startsWith("no reconciliation pass on any replica for 46s")
                .endsWith("; no pass recorded");
    }

    @Test
    void beforeTheLoopStarted_andNoPass_readyHere_theReplicaPartSaysTheLoopHasNotStarted() {
        loopStartedAt = Optional.empty();
        at(Duration.ofHours(1));

        assertThat(readiness.check()).isEqualTo(Result.ready("no pass yet; reconcile loop not started"));
    }

    @Test
    void whilePaused_ready_however_oldTheLastPass_andAfterAResume_theGraceCountsFromTheLastProbeThatSawThePause() {
        passAt(T0, "replica-a");
        paused = true;

        at(Duration.ofHours(2));
        assertThat(readiness.check()).isEqualTo(Result.ready("reconciliation paused (no pass expected)"));

        // resumed: the first pass comes within an interval; until three have passed, still ready
        paused = false;
        at(Duration.ofHours(2).plusSeconds(45));
        assertThat(readiness.check().ready()).isTrue();

        at(Duration.ofHours(2).plusSeconds(46));
        assertThat(readiness.check().ready()).isFalse();
    }
}
