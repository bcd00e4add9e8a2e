package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.out.TimerPort;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link TimerPort} in real time, on one daemon thread. Tasks must be short (heartbeats). */
public final class SystemTimer implements TimerPort, AutoCloseable {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "warmpool-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public Cancellable every(Duration period, Runnable task) {
        long ms = Math.max(period.toMillis(), 1);
        ScheduledFuture<?> future = executor.scheduleAtFixedRate(task, ms, ms, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    /** Runs {@code task} once after {@code delay}. */
    public Cancellable after(Duration delay, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(task, Math.max(delay.toMillis(), 0), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
