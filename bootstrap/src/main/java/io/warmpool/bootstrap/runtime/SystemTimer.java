package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.out.TimerPort;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@link TimerPort} in real time. One daemon thread keeps the schedule; each firing runs on a pooled daemon thread, so
 * a task that takes long (a heartbeat while the database is slow, a claim handoff's timeout that abandons its
 * reservation and starts the second try) never delays the others. A periodic task never overlaps itself: a firing
 * that comes while its previous run is still going is skipped, as {@code scheduleAtFixedRate} would delay it.
 */
public final class SystemTimer implements TimerPort, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemTimer.class);

    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "warmpool-timer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService runs = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "warmpool-timer-task-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    @Override
    public Cancellable every(Duration period, Runnable task) {
        long ms = Math.max(period.toMillis(), 1);
        AtomicBoolean running = new AtomicBoolean();
        ScheduledFuture<?> future = schedule.scheduleAtFixedRate(() -> dispatch(task, running), ms, ms, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    /** Runs {@code task} once after {@code delay}. */
    public Cancellable after(Duration delay, Runnable task) {
        ScheduledFuture<?> future = schedule.schedule(() -> dispatch(task, new AtomicBoolean()),
                Math.max(delay.toMillis(), 0), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    private void dispatch(Runnable task, AtomicBoolean running) {
        if (!running.compareAndSet(false, true)) {
            return; // the previous run of this task is still going
        }
        try {
            runs.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("a timed task failed", e);
                } finally {
                    running.set(false);
                    MDC.clear(); // a pooled thread: the next task starts without this one's context fields
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            running.set(false); // closed
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        runs.shutdownNow();
    }
}
