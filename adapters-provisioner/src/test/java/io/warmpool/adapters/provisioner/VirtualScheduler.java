package io.warmpool.adapters.provisioner;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link CompletionScheduler} in virtual time for tests: tasks run only from {@link #runAll()}, in order of due
 * time, ties in scheduling order, with {@link #now()} set to each task's due time. Single-threaded.
 */
final class VirtualScheduler implements CompletionScheduler {

    private record Task(Instant due, long sequence, Runnable body) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> {
        int byDue = a.due().compareTo(b.due());
        return byDue != 0 ? byDue : Long.compare(a.sequence(), b.sequence());
    });
    private Instant now;
    private long sequence;

    VirtualScheduler(Instant start) {
        this.now = start;
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        queue.add(new Task(now.plus(delay), sequence++, task));
    }

    Instant now() {
        return now;
    }

    /** Advances virtual time without running anything (for spacing requests apart). */
    void advance(Duration by) {
        runUntil(now.plus(by));
    }

    /** Runs every task due up to {@code until}, then leaves the clock at {@code until}. */
    void runUntil(Instant until) {
        while (!queue.isEmpty() && !queue.peek().due().isAfter(until)) {
            Task task = queue.poll();
            now = task.due();
            task.body().run();
        }
        now = until;
    }

    /** Runs every task, including those scheduled by tasks. */
    void runAll() {
        while (!queue.isEmpty()) {
            Task task = queue.poll();
            now = task.due();
            task.body().run();
        }
    }

    int pending() {
        return queue.size();
    }
}
