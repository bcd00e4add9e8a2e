package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The queue of builds (provisioner jobs): {@code pending → running → succeeded | failed | canceled}.
 *
 * <p>Every method is its own transaction, and every timestamp is the {@code now} passed in (never the
 * database's clock), so that virtual time works. Safe to call from several replicas at once.
 */
public interface BuildQueuePort {

    /**
     * Creates the workspaces (owned by the prebuilds owner) and their pending create builds, as one batch
     * (a fixed number of statements for the whole list), all or nothing.
     */
    void enqueueCreates(List<CreateRequest> creates, Instant now);

    /**
     * Adds a pending delete build for each workspace, as one batch, all or nothing. Skipped, so enqueueing twice is
     * harmless and races are safe: a workspace that is gone, deleted, still starting, or has a build in progress; a
     * plan's delete (any reason but {@link DeleteRequest.Reason#RELEASED}) of a workspace that has been claimed since the
     * snapshot; a {@code RELEASED} delete of an unclaimed prebuild.
     *
     * @return how many deletes were enqueued
     */
    int enqueueDeletes(List<DeleteRequest> deletes, Instant now);

    /**
     * Cancels the pending creates of these presets that no worker has taken (taken ones are never interrupted);
     * their never-provisioned workspaces are marked deleted (kept for history).
     *
     * @return how many creates were canceled
     */
    int cancelQueuedCreates(Set<PresetId> presets, Instant now);

    /**
     * Takes the next pending job whose {@code notBefore} has passed — deletes before creates, then oldest first —
     * with {@code FOR UPDATE SKIP LOCKED} semantics: two workers never take the same job. Marks it running,
     * held by {@code worker}, heartbeat {@code now}.
     */
    Optional<Job> acquire(WorkerId worker, Instant now);

    /**
     * Records that {@code worker} still runs the job.
     *
     * @return false when the job is no longer held by {@code worker} (it was reaped as lost)
     */
    boolean heartbeat(JobId job, WorkerId worker, Instant now);

    /**
     * Finishes a running job held by {@code worker} with its result (error and log stored bounded) and, for a
     * create, updates the preset's failure state in the same transaction: {@code failureChange} computes the
     * transition from the stored state, and the new state is written when it differs. Concurrent completions of the
     * same preset are serialised: each change is applied to the state the previous one left (an implementation may
     * read without a lock and write with a compare-and-set, applying {@code failureChange} again to the newer state
     * when another transaction won; it is never applied twice to the same state).
     *
     * <p>A succeeded create of a preset with readiness (R10, as stored when the job completes) makes the workspace
     * {@code provisioned} with its readiness deadline ({@code now} + the preset's timeout), not ready: then
     * {@code failureChange} is not applied (the R3 success comes when it becomes ready, see {@link WorkspaceChecksPort}).
     *
     * @param failureChange applied to the preset's stored failure state for create jobs only
     * @return the failure transition for a create, empty for a delete and for a create that became provisioned
     * @throws JobNotHeldException when the job is no longer held by {@code worker}; nothing is changed
     */
    Optional<FailureTransition> complete(JobId job, WorkerId worker, JobResult result, Instant now,
                                         Function<FailureState, FailureTransition> failureChange);

    /**
     * Puts a running job back to pending without counting anything against its preset (the provisioner was
     * unavailable); it will not be taken again before {@code notBefore}.
     *
     * @throws JobNotHeldException when the job is no longer held by {@code worker}
     */
    void release(JobId job, WorkerId worker, String reason, Instant notBefore, Instant now);

    /**
     * Fails, as {@code worker_lost}, every running job whose last heartbeat is at or before
     * {@code heartbeatAtOrBefore}, except builds awaiting a callback ({@link #awaitCallback}): they have no worker to
     * lose and end at their own deadline. The preset's failure state is not touched (R3).
     *
     * @return the jobs reaped
     */
    List<LostJob> reapLost(Instant heartbeatAtOrBefore, Instant now);

    /**
     * The provisioner accepted the running job held by {@code worker} and will call back (SPEC §4 http, asynchronous
     * completion): the build stays {@code running}, but from now on no worker holds it — the worker's slot is free —
     * and it awaits {@link #completeAwaited} until {@code until}. {@link #reapLost} never reaps it (its heartbeat
     * stops); {@link #overdueCallbacks} lists it once {@code until} has passed. One guarded change: nothing happens
     * when the job is no longer held.
     *
     * @throws JobNotHeldException when the job is no longer held by {@code worker}; nothing is changed
     */
    void awaitCallback(JobId job, WorkerId worker, Instant until, Instant now);

    /**
     * Finishes a build that awaits a callback ({@link #awaitCallback}), from any replica and without a worker: exactly
     * what {@link #complete} does (the build's status, error and log, the workspace's phase, and for a create the
     * preset's failure state through {@code failureChange}, serialised the same way), in one transaction. A build
     * completes once: of two racing completions (two callbacks, or a callback and the deadline) one wins and the
     * other gets a {@link ConflictException}.
     *
     * @return the build that was finished, and the failure transition for a create
     * @throws NotFoundException when there is no such build; nothing is changed
     * @throws NotYetAwaitingException when the build is running and still held by its worker (the callback overtook
     *                                 the worker's recording of the provisioner's acceptance); nothing is changed
     * @throws ConflictException when the build is not awaiting a callback (it never was, or it has finished);
     *                           nothing is changed
     */
    AwaitedCompletion completeAwaited(JobId job, JobResult result, Instant now,
                                      Function<FailureState, FailureTransition> failureChange);

    /**
     * Builds awaiting a callback whose deadline is at or before {@code now}, earliest deadline first, at most
     * {@code limit}; nothing is changed (each is then finished with {@link #completeAwaited}).
     */
    List<AwaitedJob> overdueCallbacks(Instant now, int limit);

    /**
     * The queue depth: how many jobs are pending (no worker has taken them; released ones waiting out their
     * {@code notBefore} included), by kind. Every kind is in the map, 0 when it has none. One query, whatever the
     * number of presets; nothing is changed.
     */
    java.util.Map<Transition, Integer> pendingByKind();

    /**
     * A build awaiting (or that awaited) a callback.
     *
     * @param startedAt when a worker took it (the provisioner's timeout counts from here)
     * @param until     the deadline of its callback
     */
    record AwaitedJob(JobId id, Transition transition, PresetId preset, io.warmpool.domain.WorkspaceId workspace,
                      Instant startedAt, Instant until) {
        public AwaitedJob {
            java.util.Objects.requireNonNull(id, "id");
            java.util.Objects.requireNonNull(transition, "transition");
            java.util.Objects.requireNonNull(preset, "preset");
            java.util.Objects.requireNonNull(workspace, "workspace");
            java.util.Objects.requireNonNull(startedAt, "startedAt");
            java.util.Objects.requireNonNull(until, "until");
        }
    }

    /** What {@link #completeAwaited} finished: the build, and for a create the preset's failure transition. */
    record AwaitedCompletion(AwaitedJob job, Optional<FailureTransition> failure) {
    }

    /** A job failed as lost by {@link #reapLost}. */
    record LostJob(JobId id, Transition transition, PresetId preset, io.warmpool.domain.WorkspaceId workspace) {
    }

    /**
     * Thrown by {@link #completeAwaited} for a build that is running and still held by its worker: it may await a
     * callback in a moment, so the caller may try again shortly (unlike a finished build, which never will).
     */
    final class NotYetAwaitingException extends ConflictException {
        public NotYetAwaitingException(JobId job) {
            super("build " + job + " is still held by its worker and not yet awaiting a callback; try again shortly");
        }
    }

    /** Thrown by {@link #complete} and {@link #release} for a job its worker no longer holds. */
    final class JobNotHeldException extends RuntimeException {
        public JobNotHeldException(JobId job, WorkerId worker) {
            super("job " + job + " is no longer held by worker " + worker);
        }
    }

}
