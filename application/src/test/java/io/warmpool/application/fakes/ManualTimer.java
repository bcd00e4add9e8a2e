package io.warmpool.application.fakes;

import io.warmpool.application.port.out.TimerPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A timer that runs its tasks only when a test calls {@link #fire()}: one call stands for "one period has
 * passed" for every task still scheduled. Pair it with {@link MutableClock#advance} so the tasks see the time move.
 */
public final class ManualTimer implements TimerPort {

    private final List<Task> tasks = new ArrayList<>();

    @Override
    public synchronized Cancellable every(Duration period, Runnable task) {
        Task t = new Task(period, task);
        tasks.add(t);
        return t;
    }

    /** Runs every task that is still scheduled, once; returns how many ran. */
    public int fire() {
        List<Task> due;
        synchronized (this) {
            due = tasks.stream().filter(t -> !t.cancelled).toList();
        }
        due.forEach(t -> t.task.run());
        return due.size();
    }

    /** The periods of the tasks still scheduled. */
    public synchronized List<Duration> activePeriods() {
        return tasks.stream().filter(t -> !t.cancelled).map(t -> t.period).toList();
    }

    /** How many tasks were ever scheduled. */
    public synchronized int scheduledCount() {
        return tasks.size();
    }

    private final class Task implements Cancellable {
        final Duration period;
        final Runnable task;
        boolean cancelled;

        Task(Duration period, Runnable task) {
            this.period = period;
            this.task = task;
        }

        @Override
        public void cancel() {
            synchronized (ManualTimer.this) {
                cancelled = true;
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "ManualTimer" + new ArrayList<>(activePeriods());
    }
}
