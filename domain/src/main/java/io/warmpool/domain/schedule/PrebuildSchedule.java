package io.warmpool.domain.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The schedule of a preset (SPEC R7): a timezone and the windows that override the preset's pool size.
 *
 * <p>Immutable. Windows are kept in the given order. This type does not check that windows are disjoint; the
 * presets are validated for that when they are applied (see {@link CronWindow#overlaps}).
 *
 * @param zone    the zone whose local wall-clock time the windows are evaluated in; {@code null} means UTC
 * @param windows the windows, copied; {@code null} means none; elements must not be null
 */
public record PrebuildSchedule(ZoneId zone, List<ScheduleWindow> windows) {

    /**
     * Normalizes the components: a null zone becomes UTC, a null window list becomes empty, and the list is
     * copied so later changes to the caller's list do not leak in.
     *
     * @param zone    the zone, or null for UTC
     * @param windows the windows in priority order, or null for none
     * @throws NullPointerException if a window is null
     */
    public PrebuildSchedule {
        zone = zone == null ? ZoneOffset.UTC : zone;
        windows = windows == null ? List.of() : List.copyOf(windows);
    }

    /**
     * The schedule of a preset without schedules: UTC and no windows, so {@link #windowAt} is always empty.
     *
     * @return the empty schedule
     */
    public static PrebuildSchedule none() {
        return new PrebuildSchedule(ZoneOffset.UTC, List.of());
    }

    /**
     * The window that contains {@code now}, judged on the local wall-clock time of {@code now} in {@link #zone()}.
     *
     * <p>A local hour skipped by a daylight-saving change is never matched (no instant has it); an hour that a
     * change repeats is matched both times. If several windows match (applied presets never have overlapping
     * windows, but this type does not enforce it), the first in list order is returned.
     *
     * @param now the instant to evaluate; not null
     * @return the containing window, or empty when none contains {@code now}
     */
    public Optional<ScheduleWindow> windowAt(Instant now) {
        Objects.requireNonNull(now, "now");
        if (windows.isEmpty()) {
            // Most presets have no schedule; skip the zone conversion for them.
            return Optional.empty();
        }
        LocalDateTime local = LocalDateTime.ofInstant(now, zone);
        for (ScheduleWindow window : windows) {
            if (window.cron().matches(local)) {
                return Optional.of(window);
            }
        }
        return Optional.empty();
    }

    /**
     * The hours of a local date, in order, as runs of consecutive hours covered by the same window (or by
     * none): what an operator sees as "today's schedule". Each local hour label 00–23 of {@code date} is
     * judged like {@link #windowAt} judges a local date-time, so an hour that a daylight-saving change skips
     * is still listed (no instant has it, so it never applies) and a repeated hour is listed once.
     *
     * @param date a date in {@link #zone()}; not null
     * @return between 1 and 24 spans covering hours 0 to 24 without gaps, in order
     */
    public List<DaySpan> spansOn(LocalDate date) {
        Objects.requireNonNull(date, "date");
        List<DaySpan> spans = new ArrayList<>();
        int from = 0;
        ScheduleWindow current = windowOfHour(date, 0);
        for (int hour = 1; hour <= 24; hour++) {
            ScheduleWindow next = hour == 24 ? null : windowOfHour(date, hour);
            if (hour == 24 || !Objects.equals(next, current)) {
                spans.add(new DaySpan(from, hour, current));
                from = hour;
                current = next;
            }
        }
        return List.copyOf(spans);
    }

    private ScheduleWindow windowOfHour(LocalDate date, int hour) {
        LocalDateTime local = date.atTime(hour, 0);
        for (ScheduleWindow window : windows) {
            if (window.cron().matches(local)) {
                return window;
            }
        }
        return null;
    }

    /**
     * Local hours {@code [fromHour, toHour)} of one date and the window that covers them.
     *
     * @param fromHour the first hour, 0–23
     * @param toHour   the hour after the last, 1–24
     * @param window   the covering window, or {@code null} when none does (the preset's default size applies)
     */
    public record DaySpan(int fromHour, int toHour, ScheduleWindow window) {

        /** @throws IllegalArgumentException unless {@code 0 <= fromHour < toHour <= 24} */
        public DaySpan {
            if (fromHour < 0 || toHour > 24 || fromHour >= toHour) {
                throw new IllegalArgumentException("hours must satisfy 0 <= from < to <= 24, got " + fromHour + "-" + toHour);
            }
        }
    }
}
