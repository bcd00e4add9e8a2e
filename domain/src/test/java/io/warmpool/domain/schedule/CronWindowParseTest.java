package io.warmpool.domain.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** R7 grammar: every accepted form selects the values it should, every rejection names its field and why. */
class CronWindowParseTest {

    enum Field { HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK }

    @ParameterizedTest(name = "given ''{0}'', then {1} selects {2}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * * *                 | HOUR         | 0-23
            * 5 * * *                 | HOUR         | 5
            * 05 * * *                | HOUR         | 5
            * 0 * * *                 | HOUR         | 0
            * 23 * * *                | HOUR         | 23
            * 8-18 * * *              | HOUR         | 8-18
            * 7-7 * * *               | HOUR         | 7
            * 1,3,5 * * *             | HOUR         | 1,3,5
            * 5,5 * * *               | HOUR         | 5
            * 1-3,20-22 * * *         | HOUR         | 1-3,20-22
            * */6 * * *               | HOUR         | 0,6,12,18
            * */1 * * *               | HOUR         | 0-23
            * */24 * * *              | HOUR         | 0
            * */99999999999 * * *     | HOUR         | 0
            * 8-18/5 * * *            | HOUR         | 8,13,18
            * */12,5 * * *            | HOUR         | 0,5,12
            * *,3 * * *               | HOUR         | 0-23
            * * 1 * *                 | DAY_OF_MONTH | 1
            * * 31 * *                | DAY_OF_MONTH | 31
            * * 1-7 * *               | DAY_OF_MONTH | 1-7
            * * */10 * *              | DAY_OF_MONTH | 1,11,21,31
            * * 10-20/5,31 * *        | DAY_OF_MONTH | 10,15,20,31
            * * * 1 *                 | MONTH        | 1
            * * * 12 *                | MONTH        | 12
            * * * 6-8 *               | MONTH        | 6-8
            * * * 1,12 *              | MONTH        | 1,12
            * * * */3 *               | MONTH        | 1,4,7,10
            * * * * 0                 | DAY_OF_WEEK  | 0
            * * * * 7                 | DAY_OF_WEEK  | 0
            * * * * 1-5               | DAY_OF_WEEK  | 1-5
            * * * * 5-7               | DAY_OF_WEEK  | 0,5,6
            * * * * 0-7               | DAY_OF_WEEK  | 0-6
            * * * * 6,0               | DAY_OF_WEEK  | 0,6
            * * * * */2               | DAY_OF_WEEK  | 0,2,4,6
            * * * * 1-7/3             | DAY_OF_WEEK  | 0,1,4
            """)
    void givenAcceptedForm_whenParsed_thenItSelectsExactlyItsValues(String expression, Field field, String expected) {
        CronWindow cron = CronWindow.parse(expression);

        assertThat(selected(cron, field)).containsExactlyElementsOf(values(expected));
    }

    @Test
    void givenExtraWhitespaceAndTabs_whenParsed_thenFieldsAreStillFound_andTheOriginalTextIsKept() {
        String text = "  *\t8   * *  1 ";

        CronWindow cron = CronWindow.parse(text);

        assertThat(cron.expression()).isEqualTo(text);
        assertThat(cron.matches(LocalDateTime.parse("2026-03-02T08:15"))).isTrue(); // a Monday
        assertThat(cron.matches(LocalDateTime.parse("2026-03-03T08:15"))).isFalse();
    }

    @ParameterizedTest(name = "given ''{0}'', then rejected: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            * * * *                 | expected 5 fields (minute hour day-of-month month day-of-week), got 4
            * * * * * *             | expected 5 fields (minute hour day-of-month month day-of-week), got 6
            * 8 * * 1-5 garbage     | expected 5 fields
            @daily                  | cron macros such as '@daily' are not supported
            30 * * * *              | minute field must be '*' (windows are whole hours), got '30'
            0 8 * * *               | minute field must be '*' (windows are whole hours), got '0'
            */5 * * * *             | minute field must be '*' (windows are whole hours), got '*/5'
            0-59 * * * *            | minute field must be '*' (windows are whole hours), got '0-59'
            * 24 * * *              | hour field: 24 is out of range 0-23
            * 99999999999 * * *     | hour field: 99999999999 is out of range 0-23
            * 1-24 * * *            | hour field: 24 is out of range 0-23
            * * 0 * *               | day-of-month field: 0 is out of range 1-31
            * * 32 * *              | day-of-month field: 32 is out of range 1-31
            * * * 0 *               | month field: 0 is out of range 1-12
            * * * 13 *              | month field: 13 is out of range 1-12
            * * * * 8               | day-of-week field: 8 is out of range 0-7
            * 18-8 * * *            | hour field: range 18-8 is reversed
            * * * 12-1 *            | month field: range 12-1 is reversed
            * */0 * * *             | hour field: step must be at least 1, got '*/0'
            * 1-5/0 * * *           | hour field: step must be at least 1, got '1-5/0'
            * */ * * *              | hour field: step must be a whole number after '/', got '*/'
            * */-1 * * *            | hour field: step must be a whole number after '/', got '*/-1'
            * */2/3 * * *           | hour field: step must be a whole number after '/', got '*/2/3'
            * 5/2 * * *             | hour field: a step needs '*' or a range before '/', got '5/2' (for every 2 from 5 write '5-23/2')
            * * 1/7 * *             | day-of-month field: a step needs '*' or a range before '/', got '1/7'
            * * * * MON             | day-of-week field: names are not supported, use numbers (0-7, 0 and 7 are Sunday, 1 is Monday), got 'MON'
            * * * * mon-fri         | day-of-week field: names are not supported
            * * * JAN *             | month field: names are not supported, use numbers (1-12, 1 is January), got 'JAN'
            * * * 1,FEB *           | month field: names are not supported
            * * ? * *               | day-of-month field: '?' is not supported, use '*', got '?'
            * * * * ?               | day-of-week field: '?' is not supported
            * * L * *               | day-of-month field: 'L' (last) is not supported, got 'L'
            * * LW * *              | day-of-month field: 'L' (last) is not supported
            * * * * 5L              | day-of-week field: 'L' (last) is not supported, got '5L'
            * * 15W * *             | day-of-month field: 'W' (nearest weekday) is not supported, got '15W'
            * * * * 5#3             | day-of-week field: '#' (nth weekday of the month) is not supported, got '5#3'
            * 1,,2 * * *            | hour field: empty list element in '1,,2'
            * 1, * * *              | hour field: empty list element in '1,'
            * ,1 * * *              | hour field: empty list element in ',1'
            * -1 * * *              | hour field: cannot read '-1'
            * 1- * * *              | hour field: cannot read '1-'
            * 1-2-3 * * *           | hour field: cannot read '1-2-3'
            * *-5 * * *             | hour field: cannot read '*-5'
            * 1.5 * * *             | hour field: cannot read '1.5'
            * ** * * *              | hour field: cannot read '**'
            """)
    void givenInvalidExpression_whenParsed_thenRejectedWithMessageNamingTheFieldAndWhy(
            String expression, String message) {
        assertThatThrownBy(() -> CronWindow.parse(expression))
                .isInstanceOf(InvalidCronException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void givenOutOfRangeHour_thenMessageIsExactlyTheSpecExample() {
        assertThatThrownBy(() -> CronWindow.parse("* 24 * * *"))
                .hasMessage("hour field: 24 is out of range 0-23");
        assertThatThrownBy(() -> CronWindow.parse("30 8 * * *"))
                .hasMessage("minute field must be '*' (windows are whole hours), got '30'");
    }

    @ParameterizedTest(name = "given ''{0}'', then rejected as empty")
    @ValueSource(strings = {"", " ", "\t", "  \n "})
    void givenEmptyOrBlankExpression_thenRejectedAsEmpty(String expression) {
        assertThatThrownBy(() -> CronWindow.parse(expression))
                .isInstanceOf(InvalidCronException.class)
                .hasMessageStartingWith("cron expression is empty");
    }

    @ParameterizedTest
    @NullSource
    void givenNullExpression_thenRejectedAsMissing(String expression) {
        assertThatThrownBy(() -> CronWindow.parse(expression))
                .isInstanceOf(InvalidCronException.class)
                .hasMessage("cron expression is missing");
    }

    @Test
    void givenSameText_thenEqualWithSameHash_andToStringIsTheText() {
        CronWindow a = CronWindow.parse("* 8-18 * * 1-5");
        CronWindow b = CronWindow.parse("* 8-18 * * 1-5");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).hasToString("* 8-18 * * 1-5");
    }

    @Test
    void givenDifferentSpellingsOfTheSameHours_thenNotEqual() {
        assertThat(CronWindow.parse("* 8-9 * * *")).isNotEqualTo(CronWindow.parse("* 8,9 * * *"));
    }

    /** Scans one field while the others are '*': each field is observed through {@link CronWindow#matches}. */
    private static Set<Integer> selected(CronWindow cron, Field field) {
        Set<Integer> values = new TreeSet<>();
        switch (field) {
            case HOUR -> IntStream.rangeClosed(0, 23)
                    .filter(h -> cron.matches(LocalDateTime.of(2026, 1, 5, h, 0)))
                    .forEach(values::add);
            case DAY_OF_MONTH -> IntStream.rangeClosed(1, 31)
                    .filter(d -> cron.matches(LocalDateTime.of(2026, 1, d, 0, 0)))
                    .forEach(values::add);
            case MONTH -> IntStream.rangeClosed(1, 12)
                    .filter(m -> cron.matches(LocalDateTime.of(2026, m, 1, 0, 0)))
                    .forEach(values::add);
            case DAY_OF_WEEK -> {
                LocalDate sunday = LocalDate.of(2026, 1, 4);
                IntStream.rangeClosed(0, 6)
                        .filter(k -> cron.matches(sunday.plusDays(k).atStartOfDay()))
                        .forEach(values::add);
            }
        }
        return values;
    }

    /** Expected values written as a comma list of numbers and a-b ranges. */
    private static Set<Integer> values(String text) {
        Set<Integer> values = new TreeSet<>();
        for (String part : text.split(",")) {
            int[] bounds = Arrays.stream(part.strip().split("-")).mapToInt(Integer::parseInt).toArray();
            IntStream.rangeClosed(bounds[0], bounds[bounds.length - 1]).forEach(values::add);
        }
        return values;
    }
}
