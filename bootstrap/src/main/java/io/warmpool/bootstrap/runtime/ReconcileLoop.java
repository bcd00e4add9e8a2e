package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
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
 */
public final class ReconcileLoop implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);

    private final ReconcilePresetsUseCase reconcile;
    private final NudgePort nudges;
    private final Duration interval;
    private final Consumer<PassReport> onPass;
    private final Duration stopBound;
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

    /** @param stopBound how long {@link #stop()} waits for the pass in progress to finish */
    public ReconcileLoop(ReconcilePresetsUseCase reconcile, NudgePort nudges, Duration interval, Consumer<PassReport> onPass,
                         Duration stopBound) {
        this.reconcile = reconcile;
        this.nudges = nudges;
        this.interval = interval;
        this.onPass = onPass;
        this.stopBound = stopBound;
    }

    /** Starts the first pass now, then one every interval; listens for nudges. */
    @Override
    public void start() {
        subscription = nudges.subscribe(this::onNudge);
        executor.scheduleWithFixedDelay(() -> run(Scope.ALL), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
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
        } finally {
            MDC.clear();
        }
    }

    /** Stops after the pass that is running, if any (bounded wait). */
    @Override
    public void stop() {
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
