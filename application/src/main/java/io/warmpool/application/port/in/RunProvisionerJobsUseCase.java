package io.warmpool.application.port.in;

import io.warmpool.application.port.out.WorkerId;
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
    CompletionStage<WorkerStep> runNext(WorkerId worker);

    /**
     * Fails as {@code worker_lost} every running job whose worker stopped heartbeating for the job heartbeat
     * timeout (any replica may do this). The presets' failure states are not touched.
     *
     * @return how many jobs were reaped
     */
    int reapLostJobs();

    /** What one step did. */
    enum WorkerStep {
        /** No job was ready. */
        IDLE,
        SUCCEEDED,
        FAILED,
        /** The provisioner was unavailable; the job went back to the queue. */
        RELEASED,
        /** The job was reaped as lost while it ran; its result was dropped. */
        LOST
    }
}
