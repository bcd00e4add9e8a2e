package io.warmpool.domain.schedule;

import java.util.Objects;

/**
 * One schedule window of a preset (SPEC R7): while {@code cron} matches the local wall-clock time, the preset's
 * desired pool size is {@code instances} instead of its default (R1).
 *
 * @param cron      the hours the window covers; never null
 * @param instances the desired pool size inside the window; zero or more (zero empties the pool, e.g. at night)
 */
public record ScheduleWindow(CronWindow cron, int instances) {

    /**
     * Validates the window.
     *
     * @param cron      the hours the window covers
     * @param instances the desired pool size inside the window
     * @throws NullPointerException     if {@code cron} is null
     * @throws IllegalArgumentException if {@code instances} is negative
     */
    public ScheduleWindow {
        Objects.requireNonNull(cron, "cron");
        if (instances < 0) {
            throw new IllegalArgumentException(
                    "instances must be 0 or more, got " + instances + " for window '" + cron.expression() + "'");
        }
    }
}
