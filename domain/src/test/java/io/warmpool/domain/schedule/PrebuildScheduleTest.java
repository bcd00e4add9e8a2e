package io.warmpool.domain.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** R7 evaluation of a preset's schedule at an instant, on the local wall-clock time of its zone. */
class PrebuildScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static ScheduleWindow window(String cron, int instances) {
        return new ScheduleWindow(CronWindow.parse(cron), instances);
    }

    private static PrebuildSchedule schedule(ZoneId zone, ScheduleWindow... windows) {
        return new PrebuildSchedule(zone, Arrays.asList(windows));
    }

    @Test
    void givenNoSchedule_itIsUtcWithoutWindows_andNoInstantIsInAWindow() {
        PrebuildSchedule none = PrebuildSchedule.none();

        assertThat(none.zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(none.windows()).isEmpty();
        assertThat(none.windowAt(Instant.parse("2026-03-04T10:00:00Z"))).isEmpty();
    }

    @Test
    void givenNullZone_windowsAreEvaluatedInUtc() {
        ScheduleWindow business = window("* 8-18 * * 1-5", 5);
        PrebuildSchedule schedule = new PrebuildSchedule(null, List.of(business));

        assertThat(schedule.zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(schedule.windowAt(Instant.parse("2026-03-04T08:00:00Z"))).contains(business);
        assertThat(schedule.windowAt(Instant.parse("2026-03-04T07:59:59.999Z"))).isEmpty();
    }

    @Test
    void givenNullWindows_theScheduleHasNone() {
        assertThat(new PrebuildSchedule(BERLIN, null).windows()).isEmpty();
    }

    @Test
    void givenSeveralWindows_windowAtReturnsTheOneContainingNow_orEmpty() {
        ScheduleWindow day = window("* 8-18 * * 1-5", 5);
        ScheduleWindow night = window("* 0-5 * * *", 0);
        PrebuildSchedule schedule = schedule(ZoneOffset.UTC, day, night);

        assertThat(schedule.windowAt(Instant.parse("2026-03-04T09:00:00Z"))).contains(day);
        assertThat(schedule.windowAt(Instant.parse("2026-03-04T03:00:00Z"))).contains(night);
        assertThat(schedule.windowAt(Instant.parse("2026-03-04T20:00:00Z"))).isEmpty();
        assertThat(schedule.windowAt(Instant.parse("2026-03-07T09:00:00Z"))).isEmpty();
    }

    @Test
    void givenOverlappingWindows_windowAtReturnsTheFirstInListOrder() {
        ScheduleWindow first = window("* 8-18 * * *", 1);
        ScheduleWindow second = window("* 9 * * *", 2);

        assertThat(schedule(ZoneOffset.UTC, first, second).windowAt(Instant.parse("2026-03-04T09:00:00Z")))
                .contains(first);
        assertThat(schedule(ZoneOffset.UTC, second, first).windowAt(Instant.parse("2026-03-04T09:00:00Z")))
                .contains(second);
    }

    @Test
    void givenTheCallerChangesItsListLater_theScheduleKeepsItsOwnCopy() {
        ScheduleWindow day = window("* 8-18 * * *", 5);
        List<ScheduleWindow> list = new ArrayList<>(List.of(day));
        PrebuildSchedule schedule = new PrebuildSchedule(ZoneOffset.UTC, list);

        list.clear();

        assertThat(schedule.windows()).containsExactly(day);
        assertThatThrownBy(() -> schedule.windows().add(day)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void givenANullWindow_theScheduleRejectsIt() {
        assertThatThrownBy(() -> schedule(ZoneOffset.UTC, window("* * * * *", 1), null))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest(name = "given Berlin, when {0} (local {1}), then in '* 2 * * *' = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            2026-03-28T01:00:00Z      | 02:00 CET, the day before   | true
            2026-03-29T00:59:59.999Z  | 01:59:59.999 CET            | false
            2026-03-29T01:00:00Z      | 03:00 CEST, 02:xx skipped   | false
            2026-10-24T23:59:59.999Z  | 01:59:59.999 CEST           | false
            2026-10-25T00:00:00Z      | 02:00 CEST, first time      | true
            2026-10-25T00:59:59.999Z  | 02:59:59.999 CEST           | true
            2026-10-25T01:00:00Z      | 02:00 CET, second time      | true
            2026-10-25T01:59:59.999Z  | 02:59:59.999 CET            | true
            2026-10-25T02:00:00Z      | 03:00 CET                   | false
            """)
    void givenBerlinDaylightSavingDays_theTwoOClockWindowFollowsTheLocalClock(
            Instant now, String local, boolean expected) {
        ScheduleWindow two = window("* 2 * * *", 3);

        assertThat(schedule(BERLIN, two).windowAt(now).isPresent()).as(local).isEqualTo(expected);
    }

    @Test
    void givenBerlinSpringForwardDay_theSkippedHourNeverMatches_andTheNextHourDoes() {
        PrebuildSchedule twoOClock = schedule(BERLIN, window("* 2 * * *", 3));
        PrebuildSchedule threeOClock = schedule(BERLIN, window("* 3 * * *", 3));
        Instant startOfDay = Instant.parse("2026-03-28T23:00:00Z"); // 2026-03-29T00:00 CET

        // 23 local hours that day; scan each minute of them.
        assertThat(minutesIn(twoOClock, startOfDay, Duration.ofHours(23))).isZero();
        assertThat(minutesIn(threeOClock, startOfDay, Duration.ofHours(23))).isEqualTo(60);
    }

    @Test
    void givenBerlinFallBackDay_theRepeatedHourMatchesBothTimes() {
        PrebuildSchedule twoOClock = schedule(BERLIN, window("* 2 * * *", 3));
        Instant startOfDay = Instant.parse("2026-10-24T22:00:00Z"); // 2026-10-25T00:00 CEST

        // 25 local hours that day; 02:00-02:59 happens twice.
        assertThat(minutesIn(twoOClock, startOfDay, Duration.ofHours(25))).isEqualTo(120);
    }

    @ParameterizedTest(name = "given New York business hours, when {0} ({1}), then in window = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            2026-01-05T13:59:59.999Z  | Mon 08:59:59.999 EST   | false
            2026-01-05T14:00:00Z      | Mon 09:00 EST          | true
            2026-01-05T22:59:59.999Z  | Mon 17:59:59.999 EST   | true
            2026-01-05T23:00:00Z      | Mon 18:00 EST          | false
            2026-07-06T12:59:59.999Z  | Mon 08:59:59.999 EDT   | false
            2026-07-06T13:00:00Z      | Mon 09:00 EDT          | true
            2026-01-10T14:00:00Z      | Sat 09:00 EST          | false
            """)
    void givenNewYork_windowsFollowLocalTimeInWinterAndSummer(Instant now, String local, boolean expected) {
        PrebuildSchedule business = schedule(NEW_YORK, window("* 9-17 * * 1-5", 4));

        assertThat(business.windowAt(now).isPresent()).as(local).isEqualTo(expected);
    }

    @Test
    void givenNewYork_theWeekdayIsTheLocalOne() {
        // Friday 22:00 in New York is already Saturday 03:00 in UTC.
        PrebuildSchedule fridayNight = schedule(NEW_YORK, window("* 22 * * 5", 1));

        assertThat(fridayNight.windowAt(Instant.parse("2026-01-10T03:00:00Z"))).isPresent();
        assertThat(schedule(ZoneOffset.UTC, window("* 22 * * 5", 1))
                .windowAt(Instant.parse("2026-01-10T03:00:00Z"))).isEmpty();
    }

    @Test
    void givenNewYorkSpringForwardDay_theSkippedHourNeverMatches() {
        PrebuildSchedule twoOClock = schedule(NEW_YORK, window("* 2 * * *", 1));
        Instant startOfDay = Instant.parse("2026-03-08T05:00:00Z"); // 2026-03-08T00:00 EST

        assertThat(minutesIn(twoOClock, startOfDay, Duration.ofHours(23))).isZero();
        assertThat(minutesIn(twoOClock, startOfDay.minus(Duration.ofDays(1)), Duration.ofHours(24)))
                .isEqualTo(60);
    }

    @Test
    void givenNegativeInstances_theWindowIsRejected() {
        CronWindow cron = CronWindow.parse("* 8 * * *");

        assertThatThrownBy(() -> new ScheduleWindow(cron, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instances must be 0 or more, got -1");
        assertThat(new ScheduleWindow(cron, 0).instances()).isZero();
    }

    @Test
    void givenNullCron_theWindowIsRejected() {
        assertThatThrownBy(() -> new ScheduleWindow(null, 1)).isInstanceOf(NullPointerException.class);
    }

    private static long minutesIn(PrebuildSchedule schedule, Instant from, Duration length) {
        long minutes = 0;
        for (Instant t = from; t.isBefore(from.plus(length)); t = t.plus(Duration.ofMinutes(1))) {
            if (schedule.windowAt(t).isPresent()) {
                minutes++;
            }
        }
        return minutes;
    }

    @Test
    void givenWeekdayOfficeHoursAndNights_spansOnAWednesdayAreNightOfficeAndDefault_inOrderWithoutGaps() {
        // given: nights 0-5 with none, office hours 8-18 on weekdays with 6
        ScheduleWindow office = window("* 8-18 * * 1-5", 6);
        ScheduleWindow night = window("* 0-5 * * *", 0);
        PrebuildSchedule schedule = schedule(BERLIN, office, night);

        // when
        List<PrebuildSchedule.DaySpan> spans = schedule.spansOn(java.time.LocalDate.of(2026, 3, 4));

        // then
        assertThat(spans).containsExactly(
                new PrebuildSchedule.DaySpan(0, 6, night),
                new PrebuildSchedule.DaySpan(6, 8, null),
                new PrebuildSchedule.DaySpan(8, 19, office),
                new PrebuildSchedule.DaySpan(19, 24, null));
    }

    @Test
    void givenASunday_theWeekdayWindowIsAbsent_andWithoutWindowsTheDayIsOneSpan() {
        ScheduleWindow office = window("* 8-18 * * 1-5", 6);

        assertThat(schedule(BERLIN, office).spansOn(java.time.LocalDate.of(2026, 3, 8)))
                .containsExactly(new PrebuildSchedule.DaySpan(0, 24, null));
        assertThat(PrebuildSchedule.none().spansOn(java.time.LocalDate.of(2026, 3, 8)))
                .containsExactly(new PrebuildSchedule.DaySpan(0, 24, null));
    }

    @Test
    void givenTheSpringForwardDate_theSkippedHourIsStillListedByItsLabel() {
        // given: 2026-03-29 Berlin skips 02:00-03:00; a window on hours 1-3
        ScheduleWindow early = window("* 1-3 * * *", 2);

        assertThat(schedule(BERLIN, early).spansOn(java.time.LocalDate.of(2026, 3, 29))).containsExactly(
                new PrebuildSchedule.DaySpan(0, 1, null),
                new PrebuildSchedule.DaySpan(1, 4, early),
                new PrebuildSchedule.DaySpan(4, 24, null));
    }

    @Test
    void desiredOn_givesTheWindowsInstancesOrThePolicyDefault() {
        ScheduleWindow office = window("* 8-18 * * 1-5", 6);
        io.warmpool.domain.PrebuildPolicy policy = new io.warmpool.domain.PrebuildPolicy(2, Duration.ZERO, schedule(BERLIN, office));

        assertThat(policy.desiredOn(java.time.LocalDate.of(2026, 3, 4))).containsExactly(
                new io.warmpool.domain.PrebuildPolicy.DesiredSpan(0, 8, 2, null),
                new io.warmpool.domain.PrebuildPolicy.DesiredSpan(8, 19, 6, "* 8-18 * * 1-5"),
                new io.warmpool.domain.PrebuildPolicy.DesiredSpan(19, 24, 2, null));
    }
}
