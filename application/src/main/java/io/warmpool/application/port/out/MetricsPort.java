package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.Map;

/**
 * Measurements for operators. Gauges of pool state come from {@link #passFinished}; counters of created,
 * failed, claimed and missed come from events. Implementations never throw.
 */
public interface MetricsPort {

    /** A pass ran (not called for a skipped pass). */
    default void passFinished(io.warmpool.application.port.in.PassReport report) {
    }

    /** Whether reconciliation is paused, as last seen. */
    default void paused(boolean paused) {
    }

    /** A claim took {@code duration}. */
    default void claimFinished(PresetId preset, boolean hit, Duration duration) {
    }

    /**
     * A claim whose handoff failed (SPEC R12): it reserved a prebuild but nothing was handed over, after
     * {@code duration}. (Each failed handoff attempt is also a {@code CLAIM_FAILED} event.)
     */
    default void claimHandoffFailed(PresetId preset, Duration duration) {
    }

    /**
     * A claim that waited (SPEC R12 {@code wait}) has finished waiting.
     *
     * @param outcome {@code served}, {@code timed_out} or {@code full} (the queue was full: it did not wait)
     */
    default void claimWaited(PresetId preset, String outcome, Duration waited) {
    }

    /** A worker took a job. */
    default void jobStarted(Transition transition) {
    }

    /**
     * A worker finished a job of {@code preset}.
     *
     * @param outcome {@code succeeded}, {@code failed}, {@code permanent}, {@code unavailable}, {@code lost} or
     *                {@code accepted} (the provisioner will call back: the job leaves the worker's slot)
     */
    default void jobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
    }

    /**
     * A build that awaited a callback ended (by its callback or at its deadline), on whichever replica saw it; the
     * worker that took it reported {@code accepted} already (the job left its slot then), so this counts no job in
     * flight.
     *
     * @param outcome  {@code succeeded}, {@code failed}, {@code permanent} or {@code timed_out}
     * @param duration from the moment a worker took the job
     */
    default void awaitedJobFinished(PresetId preset, Transition transition, String outcome, Duration duration) {
    }

    /** A liveness check found a ready prebuild unhealthy or gone (R11): {@code warmpool_prebuilt_workspaces_unhealthy_total}. */
    default void prebuildUnhealthy(PresetId preset) {
    }

    /**
     * The provisioner jobs waiting for a worker, cluster-wide, by kind (the queue depth), as counted at a replica's
     * reconcile tick; a kind with none is 0.
     */
    default void pendingJobs(Map<Transition, Integer> pending) {
    }

    /** The event log's retention deleted {@code count} (more than 0) events. */
    default void eventsPruned(long count) {
    }

    /** Drops everything. */
    MetricsPort NONE = new MetricsPort() {
    };
}
