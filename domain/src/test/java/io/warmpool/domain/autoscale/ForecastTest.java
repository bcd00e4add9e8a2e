package io.warmpool.domain.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.warmpool.domain.autoscale.Forecast.Source;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** R13 — the forecast of claims per hour for the hour of the week containing now + T. */
class ForecastTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Duration T = Duration.ofMinutes(5);
    /** Monday 2026-11-30 08:57 UTC: now + T is in Monday 09:00–10:00. */
    private static final Instant MONDAY_0857 = Instant.parse("2026-11-30T08:57:00Z");

    private static DemandHistory history(Instant since, int lastHour, Map<String, Integer> buckets) {
        TreeMap<Instant, Integer> byHour = new TreeMap<>();
        buckets.forEach((hour, claims) -> byHour.put(Instant.parse(hour), claims));
        return new DemandHistory(since, byHour, lastHour, List.of());
    }

    private static Instant days(Instant now, int days) {
        return now.minus(Duration.ofDays(days));
    }

    @Test
    void givenTwoWeeksOfHistory_itAveragesThatHourOfTheWeek() {
        // given a preset created 30 days ago, lookback 14d, claims on the two previous Mondays 09:00 and elsewhere
        DemandHistory demand = history(days(MONDAY_0857, 30), 0, Map.of(
                "2026-11-23T09:00:00Z", 4,
                "2026-11-16T09:00:00Z", 6,
                "2026-11-09T09:00:00Z", 50,   // three weeks ago: beyond the lookback
                "2026-11-23T08:00:00Z", 100,  // another hour of the week
                "2026-11-24T09:00:00Z", 100));
        // when
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        // then (4 + 6) / 2
        assertThat(f.source()).isEqualTo(Source.HOUR_OF_WEEK);
        assertThat(f.hourOfWeek()).isEqualTo(new HourOfWeek(DayOfWeek.MONDAY, 9));
        assertThat(f.hourOfWeek()).hasToString("Mon 09:00");
        assertThat(f.forecastFor()).isEqualTo(Instant.parse("2026-11-30T09:02:00Z"));
        assertThat(f.hours()).isEqualTo(2);
        assertThat(f.claims()).isEqualTo(10);
        assertThat(f.claimsPerHour()).isEqualTo(5.0);
    }

    @Test
    void givenTheBuildTime_itForecastsForNowPlusT() {
        // given the same history, a build time of 90 minutes lands in Monday 10:00
        DemandHistory demand = history(days(MONDAY_0857, 30), 0, Map.of(
                "2026-11-23T09:00:00Z", 4,
                "2026-11-23T10:00:00Z", 8,
                "2026-11-16T10:00:00Z", 2));
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, Duration.ofMinutes(90));
        assertThat(f.hourOfWeek()).isEqualTo(new HourOfWeek(DayOfWeek.MONDAY, 10));
        assertThat(f.claimsPerHour()).isEqualTo(5.0);
    }

    @Test
    void givenLessThanSevenDays_itAveragesEveryWholeHourOfTheHistory() {
        // given a preset created 2026-11-27 09:30: whole hours from 10:00 that day to 08:00 today, 70 of them
        Instant since = Instant.parse("2026-11-27T09:30:00Z");
        DemandHistory demand = history(since, 0, Map.of(
                "2026-11-27T09:00:00Z", 1000, // partial first hour: not counted
                "2026-11-27T10:00:00Z", 40,
                "2026-11-29T23:00:00Z", 100,
                "2026-11-30T08:00:00Z", 1000)); // the current, partial hour: not counted
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(f.source()).isEqualTo(Source.HISTORY_AVERAGE);
        assertThat(f.hours()).isEqualTo(70);
        assertThat(f.claims()).isEqualTo(140);
        assertThat(f.claimsPerHour()).isEqualTo(2.0);
        assertThat(f.history()).isEqualTo(Duration.between(since, MONDAY_0857));
    }

    @Test
    void givenMoreClaimsInTheLastHour_thatCountWins() {
        DemandHistory demand = history(days(MONDAY_0857, 30), 9, Map.of(
                "2026-11-23T09:00:00Z", 4,
                "2026-11-16T09:00:00Z", 6));
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(f.source()).isEqualTo(Source.LAST_HOUR);
        assertThat(f.claimsPerHour()).isEqualTo(9.0);
        assertThat(f.average()).isEqualTo(5.0);
    }

    @Test
    void givenFewerClaimsInTheLastHour_theAverageStays() {
        DemandHistory demand = history(days(MONDAY_0857, 30), 5, Map.of(
                "2026-11-23T09:00:00Z", 4,
                "2026-11-16T09:00:00Z", 6));
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(f.source()).isEqualTo(Source.HOUR_OF_WEEK);
        assertThat(f.claimsPerHour()).isEqualTo(5.0);
    }

    @Test
    void givenAPresetCreatedMidLookback_onlyOccurrencesAfterItsCreationCount() {
        // given lookback 14d but the preset is 10 days old: only last Monday's 09:00 is history
        DemandHistory demand = history(days(MONDAY_0857, 10), 0, Map.of(
                "2026-11-23T09:00:00Z", 4,
                "2026-11-16T09:00:00Z", 60));
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(f.source()).isEqualTo(Source.HOUR_OF_WEEK);
        assertThat(f.hours()).isEqualTo(1);
        assertThat(f.claimsPerHour()).isEqualTo(4.0);
    }

    @Test
    void givenALookbackShorterThanTheHistory_theLookbackCutsIt() {
        // given 60 days of history and lookback 7d: [Mon 08:57 a week ago, now) holds last Monday 09:00 only
        DemandHistory demand = history(days(MONDAY_0857, 60), 0, Map.of(
                "2026-11-23T09:00:00Z", 3,
                "2026-11-16T09:00:00Z", 60));
        Forecast f = Forecast.of(demand, Duration.ofDays(7), UTC, MONDAY_0857, T);
        assertThat(f.source()).isEqualTo(Source.HOUR_OF_WEEK);
        assertThat(f.hours()).isEqualTo(1);
        assertThat(f.claimsPerHour()).isEqualTo(3.0);
    }

    @Test
    void givenSevenDaysWhoseOnlyOccurrenceIsThePartialFirstHour_itFallsBackToTheHistoryAverage() {
        // given now Monday 09:30 + 5 min: last Monday 09:00 starts before the 7-day cut at 09:30
        Instant now = Instant.parse("2026-11-30T09:30:00Z");
        DemandHistory demand = history(days(now, 60), 0, Map.of(
                "2026-11-23T09:00:00Z", 500,
                "2026-11-23T10:00:00Z", 167));
        Forecast f = Forecast.of(demand, Duration.ofDays(7), UTC, now, T);
        // whole hours from 2026-11-23 10:00 to 2026-11-30 09:00: 167
        assertThat(f.source()).isEqualTo(Source.HISTORY_AVERAGE);
        assertThat(f.hours()).isEqualTo(167);
        assertThat(f.claimsPerHour()).isEqualTo(1.0);
    }

    @Test
    void givenAutumnsRepeatedHourInBerlin_bothOccurrencesCount() {
        // given now Sunday 2026-11-01 01:58 CET (00:58Z); now + T is Sunday 02:03 local. On 2026-10-25 local 02:00
        // happened twice: 00:00Z (CEST) and 01:00Z (CET). Two weeks back (Oct 18 00:00Z) is before the cut.
        Instant now = Instant.parse("2026-11-01T00:58:00Z");
        DemandHistory demand = history(days(now, 60), 0, Map.of(
                "2026-10-25T00:00:00Z", 3,
                "2026-10-25T01:00:00Z", 5,
                "2026-10-25T02:00:00Z", 100, // local 03:00
                "2026-10-18T00:00:00Z", 100));
        Forecast f = Forecast.of(demand, Duration.ofDays(14), BERLIN, now, T);
        assertThat(f.hourOfWeek()).isEqualTo(new HourOfWeek(DayOfWeek.SUNDAY, 2));
        assertThat(f.zone()).isEqualTo(BERLIN);
        assertThat(f.hours()).isEqualTo(2);
        assertThat(f.claimsPerHour()).isEqualTo(4.0);
    }

    @Test
    void givenSpringsSkippedHourInBerlin_thatWeekHasNoOccurrence() {
        // given now Sunday 2026-04-05 01:58 CEST (2026-04-04 23:58Z); Sunday 02:00 local did not exist on 2026-03-29
        Instant now = Instant.parse("2026-04-04T23:58:00Z");
        DemandHistory demand = history(days(now, 60), 0, Map.of(
                "2026-03-29T01:00:00Z", 100, // local 03:00 CEST
                "2026-03-22T01:00:00Z", 7)); // local 02:00 CET
        Forecast f = Forecast.of(demand, Duration.ofDays(14), BERLIN, now, T);
        assertThat(f.hourOfWeek()).isEqualTo(new HourOfWeek(DayOfWeek.SUNDAY, 2));
        assertThat(f.hours()).isEqualTo(1);
        assertThat(f.claimsPerHour()).isEqualTo(7.0);
    }

    @Test
    void givenNoHistory_theForecastIsZero() {
        assertThat(Forecast.of(DemandHistory.NONE, Duration.ofDays(14), UTC, MONDAY_0857, T))
                .satisfies(f -> {
                    assertThat(f.source()).isEqualTo(Source.NO_HISTORY);
                    assertThat(f.claimsPerHour()).isZero();
                });
        // a preset created this very instant has an empty history, whatever the last hour says
        Forecast empty = Forecast.of(history(MONDAY_0857, 3, Map.of()), Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(empty.source()).isEqualTo(Source.NO_HISTORY);
        assertThat(empty.claimsPerHour()).isZero();
    }

    @Test
    void givenAPresetMinutesOld_theLastHourDecides() {
        DemandHistory demand = history(MONDAY_0857.minus(Duration.ofMinutes(20)), 2, Map.of());
        Forecast f = Forecast.of(demand, Duration.ofDays(14), UTC, MONDAY_0857, T);
        assertThat(f.hours()).isZero();
        assertThat(f.source()).isEqualTo(Source.LAST_HOUR);
        assertThat(f.claimsPerHour()).isEqualTo(2.0);
    }

    // ---- the week-stepping search against the definition, hour by hour ----------------------------------------

    record Case(ZoneId zone, Instant now, Duration lookback, Duration age, Duration buildTime,
                TreeMap<Instant, Integer> buckets) {
    }

    /** R13's hour-of-week average as written: every whole UTC hour of the history whose local start matches. */
    static double definition(Case c) {
        Instant start = c.now().minus(c.age()).isAfter(c.now().minus(c.lookback()))
                ? c.now().minus(c.age()) : c.now().minus(c.lookback());
        HourOfWeek how = HourOfWeek.of(LocalDateTime.ofInstant(c.now().plus(c.buildTime()), c.zone()));
        long claims = 0;
        int hours = 0;
        for (Instant h = Forecast.ceilToHour(start); !h.plus(Duration.ofHours(1)).isAfter(c.now());
                h = h.plus(Duration.ofHours(1))) {
            if (how.contains(LocalDateTime.ofInstant(h, c.zone()))) {
                hours++;
                claims += c.buckets().getOrDefault(h, 0);
            }
        }
        return hours == 0 ? -1 : (double) claims / hours;
    }

    @Test
    void theHourOfWeekAverageIsTheDefinitionInEveryZone() {
        List<ZoneId> zones = List.of(UTC, BERLIN, ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"),
                ZoneId.of("Australia/Adelaide"), ZoneId.of("Asia/Kathmandu"), ZoneId.of("America/St_Johns"));
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        Gen<Case> cases = r -> {
            ZoneId zone = Gen.choose(zones).next(r);
            Instant now = base.plus(Duration.ofMinutes(r.nextLong(0, 366L * 24 * 60)));
            Duration lookback = Duration.ofHours(r.nextLong(7 * 24, 90 * 24 + 1));
            Duration age = r.nextBoolean() ? Duration.ofDays(400) : Duration.ofHours(r.nextLong(7 * 24, 100 * 24));
            Duration build = Duration.ofSeconds(r.nextLong(0, r.nextBoolean() ? 3_600 : 10 * 86_400));
            TreeMap<Instant, Integer> buckets = new TreeMap<>();
            Instant first = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(92));
            for (Instant h = first; h.isBefore(now); h = h.plus(Duration.ofHours(1))) {
                if (r.nextInt(4) == 0) {
                    buckets.put(h, r.nextInt(0, 20));
                }
            }
            return new Case(zone, now, lookback, age, build, buckets);
        };
        Property.forAll(13_101, 300, cases, c -> {
            DemandHistory demand = new DemandHistory(c.now().minus(c.age()), c.buckets(), 0, List.of());
            Forecast f = Forecast.of(demand, c.lookback(), c.zone(), c.now(), c.buildTime());
            double expected = definition(c);
            if (expected < 0) {
                assertThat(f.source()).isEqualTo(Source.HISTORY_AVERAGE);
            } else {
                assertThat(f.source()).isEqualTo(Source.HOUR_OF_WEEK);
                assertThat(f.claimsPerHour()).isCloseTo(expected, within(1e-12));
            }
        });
    }
}
