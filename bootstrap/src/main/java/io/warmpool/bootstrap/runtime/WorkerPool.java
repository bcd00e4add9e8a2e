package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The provisioner workers of this replica: each worker takes a job, waits for it to finish, and takes the
 * next; an idle worker polls again after {@code idlePoll}. One thread also reaps jobs of lost workers
 * (of any replica) every heartbeat interval. On {@link #stop()} workers finish the job they run (bounded by
 * {@code drain}); a job still running after that is released by the reaper of another start.
 *
 * <p>A job's {@link RuntimeException} never stops a worker. An {@link Error} ends its thread: it is logged, and
 * {@link #problem()} says so from then on, so {@code /readyz} fails.
 */
public final class WorkerPool implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final RunProvisionerJobsUseCase jobs;
    private final String replica;
    private final int workers;
    private final Duration idlePoll;
    private final Duration reapEvery;
    private final Duration drain;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean stopped;
    /** Why a thread ended early: the first {@link Error} that escaped one. */
    private final java.util.concurrent.atomic.AtomicReference<String> ended = new java.util.concurrent.atomic.AtomicReference<>();
    private final Object wake = new Object();
    /** Also run by the reaper thread: stale claim reservations (R12), of any replica. */
    private volatile java.util.function.IntSupplier handoffReaper = () -> 0;

    /**
     * @param workers   how many jobs run at once
     * @param idlePoll  how long an idle worker waits before asking the queue again (a pass that enqueued wakes it sooner)
     * @param reapEvery how often lost workers' jobs are looked for (the heartbeat interval)
     * @param drain     how long {@link #stop()} waits for running jobs to finish
     */
    public WorkerPool(RunProvisionerJobsUseCase jobs, String replica, int workers, Duration idlePoll,
                      Duration reapEvery, Duration drain) {
        this.jobs = jobs;
        this.replica = replica;
        this.workers = workers;
        this.idlePoll = idlePoll;
        this.reapEvery = reapEvery;
        this.drain = drain;
    }

    /**
     * Makes the reaper thread also reap stale claim reservations (SPEC R12, {@code claimHandoffs} answers how many),
     * at the same pace as lost jobs. Call before {@link #start()}.
     */
    public WorkerPool alsoReaping(java.util.function.IntSupplier claimHandoffs) {
        this.handoffReaper = java.util.Objects.requireNonNull(claimHandoffs, "claimHandoffs");
        return this;
    }

    @Override
    public void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        started = true;
        Thread.UncaughtExceptionHandler onEnd = (thread, e) -> {
            ended.compareAndSet(null, thread.getName() + " ended: " + e);
            LOG.error(thread.getName() + " ended; this replica runs fewer workers until it restarts", e);
        };
        for (int i = 1; i <= workers; i++) {
            Worker id = new Worker(replica + "/w" + i);
            Thread t = new Thread(() -> loop(id), "warmpool-worker-" + i);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(onEnd);
            t.start(); // then listed: problem() never sees a thread not yet started as ended
            threads.add(t);
        }
        Thread reaper = new Thread(this::reapLoop, "warmpool-reaper");
        reaper.setDaemon(true);
        reaper.setUncaughtExceptionHandler(onEnd);
        reaper.start();
        threads.add(reaper);
    }

    /**
     * Why this replica's workers are not all running, for {@code /readyz}: not started yet, stopped, or a worker
     * (or the reaper) ended by an error; empty while every thread runs.
     */
    public java.util.Optional<String> problem() {
        if (stopped) {
            return java.util.Optional.of("provisioner workers stopped");
        }
        if (!started) {
            return java.util.Optional.of("provisioner workers not started");
        }
        long dead = threads.stream().filter(t -> !t.isAlive()).count();
        if (dead == 0) {
            return java.util.Optional.empty();
        }
        String why = ended.get();
        return java.util.Optional.of(dead + " of " + threads.size() + " provisioner worker threads ended"
                + (why == null ? "" : " (" + why + ")"));
    }

    /** Wakes idle workers (for example after a pass enqueued jobs). */
    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop(Worker id) {
        while (running.get()) {
            WorkerStep step;
            try {
                step = jobs.runNext(id).toCompletableFuture().join();
            } catch (RuntimeException e) {
                LOG.warn(id + ": job failed to record (it will be reaped as lost): " + e.getMessage());
                step = WorkerStep.IDLE;
            } finally {
                MDC.clear(); // the next job starts without this one's context fields
            }
            if (step == WorkerStep.IDLE) {
                pause(idlePoll);
            }
        }
    }

    private void reapLoop() {
        while (running.get()) {
            try {
                int reaped = jobs.reapLostJobs();
                if (reaped > 0) {
                    LOG.warn("reaped " + reaped + " job(s) of lost workers");
                }
            } catch (RuntimeException e) {
                LOG.warn("reaping lost jobs failed: " + e.getMessage());
            }
            try {
                int reaped = handoffReaper.getAsInt();
                if (reaped > 0) {
                    LOG.warn("reaped " + reaped + " claim reservation(s) whose handoff never finished (CLAIM_FAILED)");
                }
            } catch (RuntimeException e) {
                LOG.warn("reaping stale claim reservations failed: " + e.getMessage());
            }
            pause(reapEvery);
        }
    }

    private void pause(Duration d) {
        synchronized (wake) {
            if (!running.get()) {
                return;
            }
            try {
                wake.wait(Math.max(d.toMillis(), 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
            }
        }
    }

    @Override
    public void stop() {
        stopped = true;
        running.set(false);
        wakeUp();
        long deadline = System.nanoTime() + drain.toNanos();
        for (Thread t : threads) {
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                t.join(Math.max(left, 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "workers";
    }
}
