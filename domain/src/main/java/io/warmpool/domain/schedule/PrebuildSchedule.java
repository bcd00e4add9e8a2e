package io.warmpool.domain.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** STUB — replaced by the schedule work. */
public record PrebuildSchedule(ZoneId zone, List<ScheduleWindow> windows) {

    public static PrebuildSchedule none() {
        return new PrebuildSchedule(ZoneOffset.UTC, List.of());
    }

    public Optional<ScheduleWindow> windowAt(Instant now) {
        throw new UnsupportedOperationException("stub");
    }
}
