package io.warmpool.domain.plan;

/**
 * What decides whether a preset is active (SPEC R1): its version is the template's active version,
 * and the template is neither deleted nor deprecated.
 */
public record Activity(boolean versionActive, boolean templateDeprecated, boolean templateDeleted) {

    public static final Activity ACTIVE = new Activity(true, false, false);

    /** R1: active ⇔ active version, not deleted, not deprecated. */
    public boolean isActive() {
        return versionActive && !templateDeprecated && !templateDeleted;
    }
}
