package io.warmpool.domain.schedule;

/** STUB — replaced by the schedule work. */
public record ScheduleWindow(CronWindow cron, int instances) {
}
