package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import java.time.Duration;

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
     * A worker finished a job.
     *
     * @param outcome {@code succeeded}, {@code failed}, {@code permanent}, {@code unavailable} or {@code lost}
     */
    default void jobFinished(Transition transition, String outcome, Duration duration) {
    }

    /** A liveness check found a ready prebuild unhealthy or gone (R11): {@code warmpool_prebuilt_workspaces_unhealthy_total}. */
    default void prebuildUnhealthy(PresetId preset) {
    }

    /** The event log's retention deleted {@code count} (more than 0) events. */
    default void eventsPruned(long count) {
    }

    /** Drops everything. */
    MetricsPort NONE = new MetricsPort() {
    };
}
