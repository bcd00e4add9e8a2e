package io.warmpool.bootstrap.simulate;

import io.warmpool.adapters.provisioner.CompletionScheduler;
import io.warmpool.application.port.out.TimerPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * Virtual time for the simulator: a clock that only moves when the next scheduled task runs, and the
 * scheduler of every timed thing (passes, provisioner completions, heartbeats, claim arrivals). Tasks run one
 * at a time, in order of their instant, ties in the order they were scheduled — so a run is deterministic.
 * Single-threaded: not safe to use from other threads.
 */
final class VirtualTime extends Clock implements TimerPort, CompletionScheduler {

    private record Task(Instant at, long seq, Runnable run, boolean[] cancelled) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private Instant now;
    private long seq;
    private long executed;

    VirtualTime(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("virtual time is UTC");
    }

    /** Runs {@code task} at {@code at} (now, if {@code at} is in the past). */
    Cancellable at(Instant at, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Task(at.isBefore(now) ? now : at, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        at(now.plus(delay), task);
    }

    @Override
    public Cancellable every(Duration period, Runnable task) {
        boolean[] cancelled = {false};
        Runnable[] repeat = new Runnable[1];
        repeat[0] = () -> {
            if (!cancelled[0]) {
                task.run();
                at(now.plus(period), repeat[0]);
            }
        };
        at(now.plus(period), repeat[0]);
        return () -> cancelled[0] = true;
    }

    /** Runs every task scheduled before {@code end}, in order; the clock ends at {@code end}. */
    void runUntil(Instant end) {
        while (!queue.isEmpty() && queue.peek().at().isBefore(end)) {
            Task t = queue.poll();
            now = t.at();
            if (!t.cancelled()[0]) {
                executed++;
                t.run().run();
            }
        }
        now = end;
    }

    long executed() {
        return executed;
    }
}
