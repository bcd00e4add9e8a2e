package io.warmpool.application.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the provisioner workers.
 *
 * @param heartbeatTimeout     a running job whose worker has not heartbeaten for this long is reaped as lost (default 60 s)
 * @param unavailableRetryDelay how long a job released because the provisioner was unavailable waits before it is taken again
 *                              (the service uses one reconcile interval)
 */
public record WorkerSettings(Duration heartbeatTimeout, Duration unavailableRetryDelay) {

    public static final WorkerSettings DEFAULTS = new WorkerSettings(Duration.ofSeconds(60),
            ReconcileSettings.DEFAULT_INTERVAL);

    public WorkerSettings {
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(unavailableRetryDelay, "unavailableRetryDelay");
        if (heartbeatTimeout.toMillis() < 3) {
            throw new IllegalArgumentException("job-heartbeat-timeout must be at least 3ms, got " + heartbeatTimeout);
        }
        if (unavailableRetryDelay.isNegative()) {
            throw new IllegalArgumentException("the unavailable retry delay must not be negative");
        }
    }

    /** Heartbeats come three times per timeout, so one late heartbeat never loses a job. */
    public Duration heartbeatInterval() {
        return heartbeatTimeout.dividedBy(3);
    }
}
