package io.warmpool.domain.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.NavigableMap;
import java.util.Objects;

/**
 * The forecast demand {@code λ} of R13 (claims per hour) for the hour of the week, in the preset's timezone, that
 * contains {@code now + T} — and where the number came from, so that {@code plan} and {@code status} can say it.
 *
 * <p>The rule, exactly:
 * <ul>
 *   <li>The <em>history</em> is {@code [max(since, now − lookback), now)}; none when {@code since} is unknown or the
 *       history is empty: then {@code λ = 0} ({@link Source#NO_HISTORY}).</li>
 *   <li>Claims are counted in whole UTC hours {@code [h, h + 1h)} lying <em>fully inside</em> the history; a partial
 *       first or last hour counts for nothing (its claims may predate the lookback cut, and the last-hour override
 *       covers the present).</li>
 *   <li>With a history of at least 7 days: the claims of the <em>occurrences</em> of the hour of the week — the
 *       whole hours whose start, read in the zone, has that weekday and hour (exact for zones whose offsets are whole
 *       or fixed within an hour; a daylight-saving day has one occurrence fewer or more, as the wall clock does) —
 *       divided by their number ({@link Source#HOUR_OF_WEEK}). When no occurrence lies fully inside (a history just
 *       7 days long whose only occurrence is its partial first hour), the short-history average is used instead.</li>
 *   <li>With less: the claims of the whole hours divided by the number of those hours
 *       ({@link Source#HISTORY_AVERAGE}) — the history's length in whole hours, so a preset created at 10:30
 *       is neither diluted by its half hour nor credited with it.</li>
 *   <li>Either way, when the claims of the last 60 minutes ({@code (now − 1h, now]}) are more, that count is the
 *       forecast ({@link Source#LAST_HOUR}).</li>
 * </ul>
 *
 * @param claimsPerHour  {@code λ}, 0 or more
 * @param hourOfWeek     the hour of the week forecast for: the one containing {@link #forecastFor()} in {@link #zone()}
 * @param zone           the preset's timezone (its schedule's; UTC when it has none)
 * @param forecastFor    {@code now + T}
 * @param source         which part of the rule gave {@link #claimsPerHour()}
 * @param claims         the claims the average counted (0 with {@link Source#NO_HISTORY})
 * @param hours          the whole hours the average divided by: occurrences of the hour of the week, or every whole
 *                       hour of a short history (0 with {@link Source#NO_HISTORY})
 * @param average        {@code claims / hours}, 0 when {@code hours} is 0: the forecast before the last-hour override
 * @param claimsLastHour the claims of {@code (now − 1h, now]}
 * @param history        the history's length, {@link Duration#ZERO} when there is none
 */
public record Forecast(double claimsPerHour, HourOfWeek hourOfWeek, ZoneId zone, Instant forecastFor, Source source,
                       long claims, int hours, double average, int claimsLastHour, Duration history) {

    /** The history length from which the hour-of-week average is used. */
    public static final Duration WEEK = Duration.ofDays(7);

    private static final Duration HOUR = Duration.ofHours(1);

    /** Which part of R13's forecast rule gave the number. */
    public enum Source {
        /** No history yet: {@code λ = 0}. */
        NO_HISTORY,
        /** At least 7 days of history: the average of this hour of the week's occurrences. */
        HOUR_OF_WEEK,
        /** Less than 7 days (or no whole occurrence yet): the average over every whole hour of the history. */
        HISTORY_AVERAGE,
        /** The claims of the last 60 minutes, more than the average. */
        LAST_HOUR
    }

    public Forecast {
        Objects.requireNonNull(hourOfWeek, "hourOfWeek");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(forecastFor, "forecastFor");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(history, "history");
        if (!(claimsPerHour >= 0) || Double.isInfinite(claimsPerHour)) {
            throw new IllegalArgumentException("claimsPerHour must be finite and 0 or more, got " + claimsPerHour);
        }
    }

    /**
     * Forecasts {@code λ} for the hour of the week containing {@code now + buildTime} (R13).
     *
     * @param demand    what the preset has measured
     * @param lookback  how far back history counts (the policy's {@code lookback})
     * @param zone      the preset's timezone
     * @param now       the pass's instant
     * @param buildTime {@code T}, 0 or more
     */
    public static Forecast of(DemandHistory demand, Duration lookback, ZoneId zone, Instant now, Duration buildTime) {
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(lookback, "lookback");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(now, "now");
        Instant target = now.plus(Objects.requireNonNull(buildTime, "buildTime"));
        LocalDateTime targetHour = LocalDateTime.ofInstant(target, zone).truncatedTo(ChronoUnit.HOURS);
        HourOfWeek hourOfWeek = HourOfWeek.of(targetHour);
        int lastHour = demand.claimsLastHour();
        Instant cut = now.minus(lookback);
        Instant start = demand.since() == null ? null : demand.since().isAfter(cut) ? demand.since() : cut;
        if (start == null || !start.isBefore(now)) {
            return new Forecast(0, hourOfWeek, zone, target, Source.NO_HISTORY, 0, 0, 0, lastHour, Duration.ZERO);
        }
        Duration history = Duration.between(start, now);
        NavigableMap<Instant, Integer> buckets = demand.claimsByHour();
        long claims = 0;
        int hours = 0;
        Source source = Source.HISTORY_AVERAGE;
        if (history.compareTo(WEEK) >= 0) {
            // Step back week by week from the target's local hour rather than walk every hour of the lookback:
            // one step per week between the history's start and now + T (about 14 for 90 days), each mapping the
            // local hour to its instant(s) in the zone.
            int weeks = (int) (Duration.between(start, target).toDays() / 7) + 1;
            for (int k = 0; k <= weeks; k++) {
                LocalDateTime local = targetHour.minusWeeks(k);
                // A skipped local hour has no offset (no occurrence that week); a repeated one has two.
                for (ZoneOffset offset : zone.getRules().getValidOffsets(local)) {
                    Instant h = ceilToHour(local.toInstant(offset));
                    if (!h.isBefore(start) && !h.plus(HOUR).isAfter(now)
                            && hourOfWeek.contains(LocalDateTime.ofInstant(h, zone))) {
                        claims += buckets.getOrDefault(h, 0);
                        hours++;
                    }
                }
            }
            source = Source.HOUR_OF_WEEK;
        }
        if (hours == 0) {
            Instant first = ceilToHour(start);
            Instant end = now.truncatedTo(ChronoUnit.HOURS);
            claims = 0;
            if (first.isBefore(end)) {
                hours = (int) Duration.between(first, end).toHours();
                for (int c : buckets.subMap(first, true, end, false).values()) {
                    claims += c;
                }
            }
            source = Source.HISTORY_AVERAGE;
        }
        double average = hours == 0 ? 0 : (double) claims / hours;
        if (lastHour > average) {
            return new Forecast(lastHour, hourOfWeek, zone, target, Source.LAST_HOUR, claims, hours, average,
                    lastHour, history);
        }
        return new Forecast(average, hourOfWeek, zone, target, source, claims, hours, average, lastHour, history);
    }

    /** The first UTC hour start at or after {@code instant}. */
    static Instant ceilToHour(Instant instant) {
        Instant floor = instant.truncatedTo(ChronoUnit.HOURS);
        return floor.equals(instant) ? floor : floor.plus(HOUR);
    }
}
