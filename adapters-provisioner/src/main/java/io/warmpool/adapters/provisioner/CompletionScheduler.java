package io.warmpool.adapters.provisioner;

import java.time.Duration;

/**
 * Runs a task once after a delay. The {@link SimulatedProvisioner} completes its builds through it, so the
 * simulator can supply an implementation that runs in virtual time without sleeping, and the service one over a
 * real {@link java.util.concurrent.ScheduledExecutorService} ({@link ExecutorCompletionScheduler}).
 *
 * <p>Contract for implementations: {@code task} runs exactly once, no earlier than {@code delay} after the call
 * (in the implementation's notion of time), and never inline on the calling thread, even for a zero delay (the
 * caller may hold locks or not yet have returned its stage). Virtual-time implementations must run tasks due at
 * the same instant in the order they were scheduled, so runs are reproducible. If the scheduler is shut down it
 * throws {@link java.util.concurrent.RejectedExecutionException} instead of dropping the task silently.
 */
@FunctionalInterface
public interface CompletionScheduler {

    /**
     * Schedules {@code task} to run once after {@code delay}.
     *
     * @param delay zero or positive
     * @throws java.util.concurrent.RejectedExecutionException when the scheduler no longer accepts tasks
     */
    void schedule(Duration delay, Runnable task);
}
