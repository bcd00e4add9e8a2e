package io.warmpool.domain.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * R7 matching on local wall-clock time. Dates used: 2026-03-01 is a Sunday, 2026-03-02 a Monday,
 * 2026-03-07 a Saturday.
 */
class CronWindowMatchTest {

    private static final CronWindow WEEKDAYS_8_TO_18 = CronWindow.parse("* 8-18 * * 1-5");

    @ParameterizedTest(name = "given weekday window, when {0}, then matches = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            2026-03-04T07:59:59.999           | false
            2026-03-04T08:00                  | true
            2026-03-04T12:30                  | true
            2026-03-04T18:59:59.999           | true
            2026-03-04T18:59:59.999999999     | true
            2026-03-04T19:00                  | false
            2026-03-04T00:00                  | false
            2026-03-04T23:59:59.999           | false
            2026-03-02T08:00                  | true
            2026-03-06T18:00                  | true
            2026-03-07T12:00                  | false
            2026-03-08T12:00                  | false
            2026-03-01T08:00                  | false
            """)
    void givenWeekdayWindow_matchesWholeHoursMondayToFridayOnly(LocalDateTime local, boolean expected) {
        assertThat(WEEKDAYS_8_TO_18.matches(local)).isEqualTo(expected);
    }

    @Test
    void givenWeekdayWindow_saturdayNoonDoesNotMatch() {
        assertThat(WEEKDAYS_8_TO_18.matches(LocalDateTime.parse("2026-03-07T12:00"))).isFalse();
    }

    @ParameterizedTest(name = "given ''{0}'', then Sunday matches and its neighbours do not")
    @ValueSource(strings = {"* * * * 0", "* * * * 7"})
    void givenSundayAsZeroOrSeven_onlySundayMatches(String expression) {
        CronWindow sunday = CronWindow.parse(expression);

        assertThat(sunday.matches(LocalDateTime.parse("2026-03-08T10:00"))).isTrue();
        assertThat(sunday.matches(LocalDateTime.parse("2026-03-07T10:00"))).isFalse();
        assertThat(sunday.matches(LocalDateTime.parse("2026-03-09T10:00"))).isFalse();
    }

    @ParameterizedTest(name = "given ''{0}'', when {1}, then matches = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # both day fields restricted: either one is enough
            * * 1 * 1       | 2026-03-01T10:00 | true
            * * 1 * 1       | 2026-03-02T10:00 | true
            * * 1 * 1       | 2026-03-09T10:00 | true
            * * 1 * 1       | 2026-03-03T10:00 | false
            # month and hour still have to match
            * * 1 3 1       | 2026-04-06T10:00 | false
            * 9 1 * 1       | 2026-03-02T10:00 | false
            # only day-of-month restricted: the weekday is ignored
            * * 1 * *       | 2026-03-01T10:00 | true
            * * 1 * *       | 2026-03-02T10:00 | false
            # only day-of-week restricted: the day-of-month is ignored
            * * * * 1       | 2026-03-02T10:00 | true
            * * * * 1       | 2026-03-01T10:00 | false
            # '*/1' is restricted although it selects every day, so with a weekday it means every day
            * * */1 * 1     | 2026-03-03T10:00 | true
            * * * * 1       | 2026-03-03T10:00 | false
            * * 1 * */1     | 2026-03-03T10:00 | true
            """)
    void givenDayFields_dayMatchesByTheClassicCronRule(String expression, LocalDateTime local, boolean expected) {
        assertThat(CronWindow.parse(expression).matches(local)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "given ''{0}'', when {1}, then matches = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            * */6 * * *       | 2026-03-03T00:00 | true
            * */6 * * *       | 2026-03-03T06:59 | true
            * */6 * * *       | 2026-03-03T03:00 | false
            * 9-17/4 * * *    | 2026-03-03T13:00 | true
            * 9-17/4 * * *    | 2026-03-03T17:00 | true
            * 9-17/4 * * *    | 2026-03-03T10:00 | false
            * * */2 * *       | 2026-03-03T10:00 | true
            * * */2 * *       | 2026-03-04T10:00 | false
            * * * */2 *       | 2026-04-04T10:00 | false
            * * * */2 *       | 2026-05-04T10:00 | true
            * * * * */2       | 2026-03-03T10:00 | true
            * * * * */2       | 2026-03-04T10:00 | false
            """)
    void givenSteps_everyNthValueFromTheStartMatches(String expression, LocalDateTime local, boolean expected) {
        assertThat(CronWindow.parse(expression).matches(local)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "given ''{0}'', when {1}, then matches = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            * * 29 2 *   | 2028-02-29T10:00 | true
            * * 29 2 *   | 2026-03-01T10:00 | false
            * * * 2 *    | 2026-02-28T23:59 | true
            * * * 2 *    | 2026-03-01T00:00 | false
            * 0 * * *    | 2026-12-31T23:59 | false
            * 0 * * *    | 2027-01-01T00:00 | true
            """)
    void givenMonthAndDayEdges_matchingFollowsTheCalendar(String expression, LocalDateTime local, boolean expected) {
        assertThat(CronWindow.parse(expression).matches(local)).isEqualTo(expected);
    }
}
