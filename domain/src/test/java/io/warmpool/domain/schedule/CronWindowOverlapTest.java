package io.warmpool.domain.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** R7 overlap: two windows overlap when some real local date and hour matches both. */
class CronWindowOverlapTest {

    @ParameterizedTest(name = "given ''{0}'' and ''{1}'', then overlap = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # hours
            * 8-18 * * 1-5     | * 19-23 * * 1-5         | false
            * 0-8 * * *        | * 8-23 * * *            | true
            * 0-7 * * *        | * 8-23 * * *            | false
            # same hours, different weekdays
            * 8-18 * * 1-5     | * 8-18 * * 0,6          | false
            * 8-18 * * 1-5     | * 12 * * 6,7            | false
            * 8-18 * * 1-5     | * 18-20 * * 5           | true
            * 0 * * 7          | * 0 * * 0               | true
            # months
            * * * 1-6 *        | * * * 7-12 *            | false
            * * * */2 *        | * * * 3 *               | true
            # only real dates count
            * 8 31 * *         | * 8 * 2 *               | false
            * 8 30 * *         | * 8 * 2 *               | false
            * 8 31 * *         | * 8 * 4,6,9,11 *        | false
            * 8 31 * *         | * 8 * 1 *               | true
            * 8 29 2 *         | * 8 * * 1               | true
            * 8 29 2 *         | * 8 28 2 *              | false
            # a date falls on every weekday in some year
            * 8 13 * *         | * 8 * * 5               | true
            * 8 25 12 *        | * 8 * * 0               | true
            # both day fields restricted: either is enough (classic cron)
            * 8 1 * 1          | * 8 * * 2               | true
            * 8 * * 1          | * 8 * * 2-6             | false
            * 8 1 * 1          | * 8 15 * *              | true
            * 8 1 * *          | * 8 15 * *              | false
            * 8 31 2 1         | * 8 * 2 *               | true
            * 8 */1 * 1        | * 8 * * 3               | true
            * 8 1 2 1          | * 8 * 3 *               | false
            """)
    void givenTwoWindows_overlapIsSomeRealDateAndHourMatchingBoth(String a, String b, boolean expected) {
        CronWindow first = CronWindow.parse(a);
        CronWindow second = CronWindow.parse(b);

        assertThat(first.overlaps(second)).isEqualTo(expected);
        assertThat(second.overlaps(first)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "given ''{0}'', then matchesSomeDate = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * * *            | true
            * * 29 2 *           | true
            * * 31 1 *           | true
            * 8 31 */2 *         | true
            * * 30 2 *           | false
            * * 31 2 *           | false
            * * 30,31 2 *        | false
            * * 31 2,4 *         | false
            * * 31 4,6,9,11 *    | false
            * * 31 2 1           | true
            """)
    void givenWindow_matchesSomeDateOnlyWhenARealDateMatches(String expression, boolean expected) {
        CronWindow cron = CronWindow.parse(expression);

        assertThat(cron.matchesSomeDate()).isEqualTo(expected);
        assertThat(cron.overlaps(cron)).isEqualTo(expected);
    }

    @Test
    void givenNullOther_overlapsRejectsIt() {
        assertThatThrownBy(() -> CronWindow.parse("* * * * *").overlaps(null))
                .isInstanceOf(NullPointerException.class);
    }
}
