package io.warmpool.domain.plan;

/**
 * Builds of a preset that are not finished (SPEC R1).
 *
 * @param starting create builds pending or running
 * @param queued   of those, the pending ones no worker has taken yet ({@code queued ≤ starting})
 * @param deleting delete builds pending or running; a deleting prebuild is counted nowhere else
 */
public record InFlight(int starting, int queued, int deleting) {

    public static final InFlight NONE = new InFlight(0, 0, 0);

    public InFlight {
        if (starting < 0 || queued < 0 || deleting < 0) {
            throw new IllegalArgumentException("in-flight counts must not be negative: " + starting + "/" + queued + "/" + deleting);
        }
        if (queued > starting) {
            throw new IllegalArgumentException("queued creates (" + queued + ") are part of starting (" + starting + ")");
        }
    }
}
