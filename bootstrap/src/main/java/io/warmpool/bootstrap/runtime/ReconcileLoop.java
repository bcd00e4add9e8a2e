package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs a full pass every reconcile interval, and a pass for the nudged presets as soon as a nudge arrives
 * (coalesced: nudges that arrive while a pass runs are served by one pass after it). One thread, so passes of
 * this replica never overlap; across replicas the lock does that.
 *
 * <p>A failed pass (a {@link RuntimeException}: the database down) never stops the loop. An {@link Error} (out of
 * memory, a bug) ends it: it is logged and {@link #problem()} says so from then on, so {@code /readyz} fails.
 */
public final class ReconcileLoop implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);

    private final ReconcilePresetsUseCase reconcile;
    private final NudgePort nudges;
    private final Duration interval;
    private final Consumer<PassReport> onPass;
    private final Duration stopBound;
    private final Clock clock;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "warmpool-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final Set<PresetId> nudged = new LinkedHashSet<>();
    private NudgePort.Subscription subscription;
    /** The MDC key of the pass id. */
    public static final String PASS = "pass";
    /** Passes run by this replica: the pass id (only the loop's one thread touches it). */
    private long passes;
    private volatile ScheduledFuture<?> ticks;
    private volatile Instant startedAt;
    private volatile boolean stopped;
    private volatile Throwable ended;

    /**
     * @param stopBound how long {@link #stop()} waits for the pass in progress to finish
     * @param clock     the service clock, for {@link #startedAt()}
     */
    public ReconcileLoop(ReconcilePresetsUseCase reconcile, NudgePort nudges, Duration interval, Consumer<PassReport> onPass,
                         Duration stopBound, Clock clock) {
        this.reconcile = reconcile;
        this.nudges = nudges;
        this.interval = interval;
        this.onPass = onPass;
        this.stopBound = stopBound;
        this.clock = clock;
    }

    /** Starts the first pass now, then one every interval; listens for nudges. */
    @Override
    public void start() {
        startedAt = clock.instant();
        subscription = nudges.subscribe(this::onNudge);
        ticks = executor.scheduleWithFixedDelay(() -> run(Scope.ALL), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The reconcile interval: a full pass starts this long after the previous one ended. */
    public Duration interval() {
        return interval;
    }

    /** When {@link #start()} was called (the service clock); empty before. */
    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    /**
     * Why this replica's loop is not running passes, for {@code /readyz}: not started yet, stopped, or ended by an
     * error; empty while it runs.
     */
    public Optional<String> problem() {
        Throwable cause = ended;
        if (cause != null) {
            return Optional.of("reconcile loop ended: " + cause);
        }
        if (stopped) {
            return Optional.of("reconcile loop stopped");
        }
        ScheduledFuture<?> t = ticks;
        if (t == null) {
            return Optional.of("reconcile loop not started");
        }
        return t.isDone() ? Optional.of("reconcile loop ended") : Optional.empty();
    }

    private void onNudge(PresetId preset) {
        boolean schedule;
        synchronized (nudged) {
            schedule = nudged.isEmpty();
            nudged.add(preset);
        }
        if (schedule) {
            executor.execute(() -> {
                Set<PresetId> batch;
                synchronized (nudged) {
                    batch = Set.copyOf(nudged);
                    nudged.clear();
                }
                run(Scope.of(batch));
            });
        }
    }

    private void run(Scope scope) {
        // The pass id, numbered per replica, on every record of the pass and of what follows it (the pass line).
        MDC.put(PASS, Long.toString(++passes));
        try {
            onPass.accept(reconcile.reconcile(scope));
        } catch (RuntimeException e) {
            // A failed pass (database down) must not stop the loop: the next tick tries again.
            LOG.warn("reconciliation pass failed: " + e.getMessage());
        } catch (Error e) {
            if (scope.isAll()) {
                // Ends the periodic task (the executor cancels it): said by problem(), so /readyz fails.
                ended = e;
                LOG.error("the reconcile loop ended: no more passes on this replica", e);
            } else {
                LOG.error("a nudged reconciliation pass failed", e);
            }
            throw e;
        } finally {
            MDC.clear();
        }
    }

    /** Stops after the pass that is running, if any (bounded wait). */
    @Override
    public void stop() {
        stopped = true;
        if (subscription != null) {
            subscription.close();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(stopBound.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "reconcile loop";
    }
}
