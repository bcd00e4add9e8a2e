package io.warmpool.adapters.provisioner;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link CompletionScheduler} in real time over a {@link ScheduledExecutorService}. The executor is owned by the
 * caller (bootstrap), which shuts it down; tasks then fail with
 * {@link java.util.concurrent.RejectedExecutionException}. Ties between tasks due at the same time are not ordered:
 * real time has no exact ties worth keeping.
 */
public final class ExecutorCompletionScheduler implements CompletionScheduler {

    private final ScheduledExecutorService executor;

    /** @param executor runs the tasks; never used inline, so a zero delay still returns before the task runs */
    public ExecutorCompletionScheduler(ScheduledExecutorService executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
