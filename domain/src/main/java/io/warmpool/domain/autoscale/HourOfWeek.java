package io.warmpool.domain.autoscale;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One of the 168 hours of a week on a wall clock, for example Monday 09:00–10:00: the bucket R13 forecasts demand
 * for. Which instants it covers depends on the timezone it is read in (see {@link Forecast#zone()}).
 *
 * @param day  the weekday
 * @param hour the hour of the day, 0–23
 */
public record HourOfWeek(DayOfWeek day, int hour) {

    public HourOfWeek {
        Objects.requireNonNull(day, "day");
        if (hour < 0 || hour > 23) {
            throw new IllegalArgumentException("hour must be 0 to 23, got " + hour);
        }
    }

    /** The hour of the week containing a local date-time. */
    public static HourOfWeek of(LocalDateTime local) {
        return new HourOfWeek(local.getDayOfWeek(), local.getHour());
    }

    /** Whether {@code local} lies in this hour of the week. */
    public boolean contains(LocalDateTime local) {
        return local.getHour() == hour && local.getDayOfWeek() == day;
    }

    /** As operators read it: {@code Mon 09:00}. */
    @Override
    public String toString() {
        String name = day.name();
        return name.charAt(0) + name.substring(1, 3).toLowerCase(java.util.Locale.ROOT) + " "
                + (hour < 10 ? "0" : "") + hour + ":00";
    }
}
