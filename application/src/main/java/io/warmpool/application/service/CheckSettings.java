package io.warmpool.application.service;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Settings of readiness (SPEC R10) and liveness (R11) checks.
 *
 * @param readinessInterval how often a provisioned prebuild's readiness is asked of the provisioner (default 5 s)
 * @param lease             how long a taken check is not taken again by another worker (a worker that dies with it
 *                          leaves it due again after this); longer than a check may take
 * @param publicBaseUrl     the service's URL as workspaces reach it (for the agent ready route), for example
 *                          {@code http://warmpool.internal:8080}; asked when a create is sent (the listening address
 *                          may be known only once the API listens)
 */
public record CheckSettings(Duration readinessInterval, Duration lease, Supplier<String> publicBaseUrl) {

    public static final Duration DEFAULT_READINESS_INTERVAL = Duration.ofSeconds(5);
    public static final CheckSettings DEFAULTS = new CheckSettings(DEFAULT_READINESS_INTERVAL, Duration.ofMinutes(2),
            () -> "http://127.0.0.1:8080");

    public CheckSettings {
        Objects.requireNonNull(readinessInterval, "readinessInterval");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        if (readinessInterval.isNegative() || readinessInterval.isZero()) {
            throw new IllegalArgumentException("readiness-interval must be positive, got " + readinessInterval);
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("the check lease must be positive, got " + lease);
        }
    }

    /** The URL a workspace's agent calls when it is ready (R10 agent). */
    public String readyUrl(io.warmpool.domain.WorkspaceId workspace) {
        String base = publicBaseUrl.get();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return base + "/api/v1/workspaces/" + workspace.text() + "/ready";
    }
}
