package io.warmpool.application.port.out;

import java.time.Instant;

/** Cluster-wide settings stored with the data, read by every replica. */
public interface SettingsPort {

    /** Whether reconciliation is paused (read at the start of each pass). */
    boolean isPaused();

    /** Pauses or resumes reconciliation for every replica. */
    void setPaused(boolean paused, Instant now);
}
