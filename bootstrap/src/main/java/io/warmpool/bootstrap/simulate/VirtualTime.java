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

    private record Task(Instant at, long seq, Runnable run, boolean[] cancelled, boolean quiet, boolean periodic)
            implements Comparable<Task> {
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
    private long changes;
    private boolean heartbeat;

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

    /** Runs {@code task} at {@code at} (now, if {@code at} is in the past); running it counts as a {@link #changes() change}. */
    Cancellable at(Instant at, Runnable task) {
        return add(at, task, false, false);
    }

    /**
     * Runs {@code task} at {@code at} like {@link #at}, without counting it as a change: for the simulator's own
     * tasks that change nothing in the run's database by themselves (a pass reports what it changed through
     * {@link #changed()}), such as the regular pass and the progress line.
     */
    Cancellable quietlyAt(Instant at, Runnable task) {
        return add(at, task, true, false);
    }

    private Cancellable add(Instant at, Runnable task, boolean quiet, boolean periodic) {
        boolean[] cancelled = {false};
        queue.add(new Task(at.isBefore(now) ? now : at, seq++, task, cancelled, quiet, periodic));
        return () -> cancelled[0] = true;
    }

    /**
     * How many things that may have changed the run's state have happened: every task run with {@link #at} or
     * {@link #every} (a claim, a completion, a nudge, a worker's next job, a handoff deadline) once it has run, and
     * every {@link #changed()}; not a periodic task that recorded a job's heartbeat ({@link #heartbeat()}). Equal
     * counts at two instants mean that nothing else ran in between.
     */
    long changes() {
        return changes;
    }

    /** Counts a change made by a quiet task (a pass that enqueued or canceled work). */
    void changed() {
        changes++;
    }

    /**
     * Says that the running task recorded a job's heartbeat. A periodic task that does is a worker's heartbeat
     * (ProvisionerWorkerService: its only write is {@code builds.heartbeat_at}, which no snapshot reads) and does not
     * count as a change; any other task still does.
     */
    void heartbeat() {
        heartbeat = true;
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
                add(now.plus(period), repeat[0], false, true);
            }
        };
        add(now.plus(period), repeat[0], false, true);
        return () -> cancelled[0] = true;
    }

    /** Runs every task scheduled before {@code end}, in order; the clock ends at {@code end}. */
    void runUntil(Instant end) {
        while (!queue.isEmpty() && queue.peek().at().isBefore(end)) {
            Task t = queue.poll();
            now = t.at();
            if (!t.cancelled()[0]) {
                executed++;
                heartbeat = false;
                t.run().run();
                // counted once it has run: a read inside the task is not taken for one after it
                if (!t.quiet() && !(t.periodic() && heartbeat)) {
                    changes++;
                }
            }
        }
        now = end;
    }

    long executed() {
        return executed;
    }
}
