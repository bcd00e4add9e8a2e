package io.warmpool.bootstrap.runtime;

import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase.LastPass;
import io.warmpool.domain.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Part of {@code /readyz}: some replica has run a reconciliation pass within the last {@value #STALE_INTERVALS}
 * reconcile intervals (the last pass is recorded in the database by whichever replica ran it).
 *
 * <p>The age counts from the latest of: the last recorded pass, this replica's loop start (a replica that just
 * started, or a cluster whose last pass is older than its downtime, gets the same grace), and the last time this
 * check saw reconciliation paused. While paused no pass runs on purpose, so a paused cluster is ready (docs/decisions.md:
 * a pause must not take every replica out of its load balancer); after a resume the grace counts again from the
 * last probe that saw the pause.
 *
 * <p>Two small reads per probe (the pause flag and the last pass); ordered after the database check, which answers
 * first when the database is down.
 */
public final class ClusterPassReadiness implements ReadinessCheck {

    /** How many reconcile intervals without a pass anywhere make every replica unready. */
    public static final int STALE_INTERVALS = 3;

    private final PresetHistoryUseCase history;
    private final PauseReconciliationUseCase pause;
    private final Clock clock;
    private final Duration interval;
    private final Supplier<Optional<Instant>> loopStartedAt;
    private volatile Instant pausedSeenAt;

    /**
     * @param interval      this replica's reconcile interval
     * @param loopStartedAt when this replica's reconcile loop started; empty before
     */
    public ClusterPassReadiness(PresetHistoryUseCase history, PauseReconciliationUseCase pause, Clock clock,
                                Duration interval, Supplier<Optional<Instant>> loopStartedAt) {
        this.history = Objects.requireNonNull(history, "history");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.loopStartedAt = Objects.requireNonNull(loopStartedAt, "loopStartedAt");
    }

    @Override
    public Result check() {
        Instant now = clock.instant();
        if (pause.isPaused()) {
            pausedSeenAt = now;
            return Result.ready("reconciliation paused (no pass expected)");
        }
        Optional<LastPass> last = history.lastPass();
        Instant since = latest(latest(last.map(LastPass::startedAt).orElse(null), loopStartedAt.get().orElse(null)),
                pausedSeenAt);
        if (since == null) {
            return Result.ready("no pass yet; reconcile loop not started");
        }
        Duration bound = interval.multipliedBy(STALE_INTERVALS);
        Duration age = Duration.between(since, now);
        String lastText = last.map(p -> "last pass started " + p.startedAt() + " by " + p.replica())
                .orElse("no pass recorded");
        if (age.compareTo(bound) > 0) {
            return Result.notReady("no reconciliation pass on any replica for " + Durations.format(age)
                    + ", more than " + STALE_INTERVALS + " reconcile intervals (" + Durations.format(bound) + "); "
                    + lastText);
        }
        return Result.ready(lastText);
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
