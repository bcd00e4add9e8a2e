package io.warmpool.domain.plan;

/**
 * Builds of a preset that are not finished (SPEC R1).
 *
 * @param starting    create builds pending or running, and provisioned prebuilds not ready yet (R10)
 * @param queued      of those, the pending creates no worker has taken yet
 * @param deleting    delete builds pending or running; a deleting prebuild is counted nowhere else
 * @param provisioned of {@code starting}, the prebuilds whose create succeeded but that are not ready yet (R10);
 *                    {@code queued + provisioned ≤ starting}
 */
public record InFlight(int starting, int queued, int deleting, int provisioned) {

    public static final InFlight NONE = new InFlight(0, 0, 0, 0);

    public InFlight {
        if (starting < 0 || queued < 0 || deleting < 0 || provisioned < 0) {
            throw new IllegalArgumentException("in-flight counts must not be negative: " + starting + "/" + queued
                    + "/" + deleting + "/" + provisioned);
        }
        if (queued + provisioned > starting) {
            throw new IllegalArgumentException("queued creates (" + queued + ") and provisioned prebuilds ("
                    + provisioned + ") are part of starting (" + starting + ")");
        }
    }

    /** No provisioned prebuilds (presets without readiness). */
    public InFlight(int starting, int queued, int deleting) {
        this(starting, queued, deleting, 0);
    }
}
