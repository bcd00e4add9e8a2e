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
    private final List<Thread> threads = new ArrayList<>();
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
        for (int i = 1; i <= workers; i++) {
            Worker id = new Worker(replica + "/w" + i);
            Thread t = new Thread(() -> loop(id), "warmpool-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread reaper = new Thread(this::reapLoop, "warmpool-reaper");
        reaper.setDaemon(true);
        threads.add(reaper);
        reaper.start();
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
