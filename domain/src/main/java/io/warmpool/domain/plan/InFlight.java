package io.warmpool.domain.plan;

/**
 * Builds (and claim handoffs) of a preset that are not finished (SPEC R1, R12).
 *
 * @param starting    create builds pending or running, and provisioned prebuilds not ready yet (R10)
 * @param queued      of those, the pending creates no worker has taken yet
 * @param deleting    delete builds pending or running; a deleting prebuild is counted nowhere else
 * @param provisioned of {@code starting}, the prebuilds whose create succeeded but that are not ready yet (R10);
 *                    {@code queued + provisioned ≤ starting}
 * @param claiming    prebuilds reserved by a claim whose handoff is in progress (R12): out of the pool, counted
 *                    nowhere else (the plan replaces them at once), shown by status
 */
public record InFlight(int starting, int queued, int deleting, int provisioned, int claiming) {

    public static final InFlight NONE = new InFlight(0, 0, 0, 0, 0);

    public InFlight {
        if (starting < 0 || queued < 0 || deleting < 0 || provisioned < 0 || claiming < 0) {
            throw new IllegalArgumentException("in-flight counts must not be negative: " + starting + "/" + queued
                    + "/" + deleting + "/" + provisioned + "/" + claiming);
        }
        if (queued + provisioned > starting) {
            throw new IllegalArgumentException("queued creates (" + queued + ") and provisioned prebuilds ("
                    + provisioned + ") are part of starting (" + starting + ")");
        }
    }

    /** No handoff in progress. */
    public InFlight(int starting, int queued, int deleting, int provisioned) {
        this(starting, queued, deleting, provisioned, 0);
    }

    /** No provisioned prebuilds (presets without readiness) and no handoff in progress. */
    public InFlight(int starting, int queued, int deleting) {
        this(starting, queued, deleting, 0, 0);
    }
}
