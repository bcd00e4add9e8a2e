package io.warmpool.application.service;

import io.warmpool.domain.plan.PlannerSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the reconcile pass.
 *
 * @param maxPendingJobs the global cap on queued creates (R9, default 200)
 */
public record ReconcileSettings(PlannerSettings planner, int maxPendingJobs) {

    /** The time between two passes when none is configured ({@code reconcile-interval}). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    public static final ReconcileSettings DEFAULTS = new ReconcileSettings(PlannerSettings.DEFAULTS, 200);

    public ReconcileSettings {
        Objects.requireNonNull(planner, "planner");
        if (maxPendingJobs < 1) {
            throw new IllegalArgumentException("max-pending-jobs must be at least 1, got " + maxPendingJobs);
        }
    }
}
