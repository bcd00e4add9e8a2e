package io.warmpool.application.port.in;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A2 — provisioner workers. Each call takes at most one job (deletes first), runs it through the provisioner
 * while heartbeating, records the outcome and updates the preset's failure state (R3–R5).
 */
public interface RunProvisionerJobsUseCase {

    /**
     * Takes and runs one job.
     *
     * @return completes with the step's outcome when the job has been recorded, or at once with
     *     {@link WorkerStep#IDLE} when no job was ready
     */
    CompletionStage<WorkerStep> runNext(Worker worker);

    /**
     * Fails as {@code worker_lost} every running job whose worker stopped heartbeating for the job heartbeat
     * timeout (any replica may do this); the presets' failure states are not touched. Then fails, as
     * {@code callback_timeout}, every build whose callback's deadline has passed (a create counts as a failed create,
     * R3–R5: the infrastructure never said it worked).
     *
     * @return how many jobs were reaped or timed out
     */
    int reapLostJobs();

    /**
     * Fails every provisioned prebuild past its readiness deadline (SPEC R10): each a failed create of its preset
     * (any replica may do this; {@link #reapLostJobs} does it too).
     *
     * @return how many were failed
     */
    default int failOverdueReadiness() {
        return 0;
    }

    /**
     * One worker slot of one replica, for example {@code host-1234/w2}; the jobs it takes are recorded as held by it.
     *
     * @param name 1 to 200 characters
     */
    record Worker(String name) {
        public Worker {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 200) {
                throw new IllegalArgumentException("worker name must be 1 to 200 characters");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** What one step did. */
    enum WorkerStep {
        /** No job was ready. */
        IDLE,
        SUCCEEDED,
        FAILED,
        /** The provisioner was unavailable; the job went back to the queue. */
        RELEASED,
        /** The job was reaped as lost while it ran; its result was dropped. */
        LOST,
        /** The provisioner accepted the job and will call back; the build awaits its callback, the slot is free. */
        ACCEPTED
    }
}
