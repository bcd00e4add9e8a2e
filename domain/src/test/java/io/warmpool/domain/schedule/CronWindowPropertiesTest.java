package io.warmpool.domain.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.property.Property;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of R7 matching and overlap over generated cron expressions.
 *
 * <p>Each property runs {@link #CASES} cases from a fixed seed with the project's harness ({@link Property}), so a
 * failure names its case and replays exactly.
 *
 * <p>The overlap oracle scans every hour of 2001–2028: 28 consecutive years inside one century, in which every
 * month/day, February 29 included, falls on every weekday ({@link #theScannedYearsHoldEveryRealMonthDayWeekday}
 * checks that claim), so "some real date" in R7 is exactly "some date of the scan".
 */
class CronWindowPropertiesTest {

    private static final int CASES = 300;
    private static final LocalDate SCAN_FROM = LocalDate.of(2001, 1, 1);
    private static final LocalDate SCAN_TO = LocalDate.of(2028, 12, 31);
    private static List<LocalDateTime> scannedHours;

    @BeforeAll
    static void scanHours() {
        scannedHours = new ArrayList<>();
        for (LocalDate d = SCAN_FROM; !d.isAfter(SCAN_TO); d = d.plusDays(1)) {
            for (int h = 0; h < 24; h++) {
                scannedHours.add(d.atTime(h, 0));
            }
        }
    }

    @Test
    void theScannedYearsHoldEveryRealMonthDayWeekday() {
        Set<String> seen = new HashSet<>();
        for (LocalDate d = SCAN_FROM; !d.isAfter(SCAN_TO); d = d.plusDays(1)) {
            seen.add(MonthDay.from(d) + " " + d.getDayOfWeek());
        }
        // 366 month/days (February 29 included) on each of 7 weekdays.
        assertThat(seen).hasSize(366 * 7);
    }

    @Test
    void matchesAgreesWithTheFieldSetsItWasWrittenFrom() {
        Property.forAll(1, CASES, Generated::cron, cron -> {
            CronWindow window = CronWindow.parse(cron.text());
            SplittableRandom random = new SplittableRandom(cron.text().hashCode());
            for (int i = 0; i < 200; i++) {
                LocalDateTime local = LocalDate.ofEpochDay(random.nextLong(
                        LocalDate.of(1990, 1, 1).toEpochDay(), LocalDate.of(2100, 1, 1).toEpochDay()))
                        .atTime(random.nextInt(24), random.nextInt(60), random.nextInt(60),
                                random.nextInt(1_000_000_000));
                assertThat(window.matches(local)).as(local.toString()).isEqualTo(cron.modelMatches(local));
            }
        });
    }

    @Test
    void overlapIsSymmetric() {
        Property.forAll(2, CASES, random -> List.of(Generated.cron(random), Generated.cron(random)), pair -> {
            CronWindow a = CronWindow.parse(pair.get(0).text());
            CronWindow b = CronWindow.parse(pair.get(1).text());
            assertThat(a.overlaps(b)).isEqualTo(b.overlaps(a));
        });
    }

    @Test
    void aWindowOverlapsItselfExactlyWhenItMatchesSomeDate() {
        Property.forAll(3, CASES, Generated::cron, cron -> {
            CronWindow window = CronWindow.parse(cron.text());
            assertThat(window.overlaps(window)).isEqualTo(window.matchesSomeDate());
        });
    }

    @Test
    void matchesSomeDateAgreesWithAScanOfRealDates() {
        int[] outcomes = new int[2];
        Property.forAll(4, CASES, Generated::cron, cron -> {
            CronWindow window = CronWindow.parse(cron.text());
            boolean scanned = scannedHours.stream().anyMatch(window::matches);
            assertThat(window.matchesSomeDate()).isEqualTo(scanned);
            outcomes[scanned ? 1 : 0]++;
        });
        // Guards the generator: a property that only ever sees one outcome cannot fail usefully.
        assertThat(outcomes).as("disjoint and overlapping cases seen").doesNotContain(0);
    }

    @Test
    void overlapAgreesWithAScanOfRealDates() {
        int[] outcomes = new int[2];
        Property.forAll(5, CASES, random -> List.of(Generated.cron(random), Generated.cron(random)), pair -> {
            CronWindow a = CronWindow.parse(pair.get(0).text());
            CronWindow b = CronWindow.parse(pair.get(1).text());
            boolean scanned = scannedHours.stream().anyMatch(t -> a.matches(t) && b.matches(t));
            assertThat(a.overlaps(b)).isEqualTo(scanned);
            outcomes[scanned ? 1 : 0]++;
        });
        assertThat(outcomes).as("disjoint and overlapping cases seen").doesNotContain(0);
    }


    /**
     * A generated expression with the value sets it was written from, so the test has its own model of R7.
     * Day-of-week values keep 7 as written; the model folds it into Sunday.
     */
    record Generated(String text, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
            boolean dayOfMonthStar, boolean dayOfWeekStar) {

        static Generated cron(SplittableRandom random) {
            // A third of the cases are about the calendar's edges: day-of-month and month drawn from them only.
            boolean calendarEdges = random.nextInt(3) == 0;
            FieldText hour = field(random, false, 0, 23, 0, 23);
            FieldText dom = field(random, calendarEdges, 1, 31, 28, 29, 30, 31);
            FieldText month = field(random, calendarEdges, 1, 12, 2, 4, 6, 9, 11);
            FieldText dow = field(random, false, 0, 7, 0, 7);
            String text = String.join(" ", "*", hour.text(), dom.text(), month.text(), dow.text());
            return new Generated(text, hour.values(), dom.values(), month.values(), dow.values(),
                    dom.text().equals("*"), dow.text().equals("*"));
        }

        boolean modelMatches(LocalDateTime t) {
            int weekday = t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue();
            boolean dowMatches = daysOfWeek.get(weekday) || (weekday == 0 && daysOfWeek.get(7));
            boolean domMatches = daysOfMonth.get(t.getDayOfMonth());
            boolean dayMatches;
            if (dayOfMonthStar && dayOfWeekStar) {
                dayMatches = true;
            } else if (dayOfMonthStar) {
                dayMatches = dowMatches;
            } else if (dayOfWeekStar) {
                dayMatches = domMatches;
            } else {
                dayMatches = domMatches || dowMatches;
            }
            return hours.get(t.getHour()) && months.get(t.getMonthValue()) && dayMatches;
        }

        @Override
        public String toString() {
            return "'" + text + "'";
        }

        private record FieldText(String text, BitSet values) {
        }

        /**
         * A field in any accepted form. Values lean to the edge cases (days 28–31, February and the 30-day months,
         * Sunday as 0 or 7) and to small sets, so overlapping and disjoint pairs and impossible dates come up often.
         */
        private static FieldText field(SplittableRandom random, boolean edgesOnly, int min, int max, int... edges) {
            BitSet values = new BitSet();
            if (!edgesOnly && random.nextInt(3) == 0) {
                values.set(min, max + 1);
                return new FieldText("*", values);
            }
            int items = 1 + random.nextInt(random.nextInt(4) == 0 ? 3 : 1);
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                int a = value(random, edgesOnly, min, max, edges);
                int b = value(random, edgesOnly, min, max, edges);
                int from = Math.min(a, b);
                int to = Math.max(a, b);
                int step = 1 + random.nextInt(random.nextBoolean() ? 3 : max);
                switch (random.nextInt(edgesOnly ? 3 : 5)) {
                    case 0, 1 -> {
                        parts.add(Integer.toString(a));
                        values.set(a);
                    }
                    case 2 -> {
                        parts.add(from + "-" + to);
                        values.set(from, to + 1);
                    }
                    case 3 -> {
                        parts.add("*/" + step);
                        for (int v = min; v <= max; v += step) {
                            values.set(v);
                        }
                    }
                    default -> {
                        parts.add(from + "-" + to + "/" + step);
                        for (int v = from; v <= to; v += step) {
                            values.set(v);
                        }
                    }
                }
            }
            return new FieldText(parts.stream().collect(Collectors.joining(",")), values);
        }

        private static int value(SplittableRandom random, boolean edgesOnly, int min, int max, int... edges) {
            return edgesOnly || random.nextBoolean() ? edges[random.nextInt(edges.length)] : random.nextInt(min, max + 1);
        }
    }
}
