package io.warmpool.domain.schedule;

import java.time.LocalDateTime;
import java.time.Month;
import java.util.Locale;
import java.util.Objects;

/**
 * The hours a schedule window covers, written as the five-field numeric cron of SPEC R7.
 *
 * <p>Fields, separated by whitespace: minute (must be exactly {@code *}: a window is a set of whole hours),
 * hour 0–23, day-of-month 1–31, month 1–12, day-of-week 0–7 (0 and 7 are Sunday). Each field is {@code *}, a
 * number {@code n}, a range {@code a-b} with {@code a ≤ b}, a step {@code *}{@code /n} or {@code a-b/n} with
 * {@code n ≥ 1}, or a comma-separated list of these. Names, {@code ?}, {@code L}, {@code W}, {@code #} and a
 * step after a lone number ({@code a/n}) are rejected.
 *
 * <p>A local date-time matches when its hour, its month and its day match. A field is <em>unrestricted</em>
 * only when it is exactly {@code *} ({@code *}{@code /1} is restricted). As in classic cron, when both
 * day-of-month and day-of-week are restricted a day matches if either matches; otherwise only the restricted
 * one (if any) applies. So {@code * 8-18 * * 1-5} is Monday to Friday, 08:00:00.000–18:59:59.999 local time.
 *
 * <p>Immutable and thread-safe. Every field is reduced to a bit mask when parsed, so {@link #matches} does no
 * allocation of its own. Equality, hash code and {@code toString} are those of the original text.
 */
public final class CronWindow {

    private final String expression;
    /** Bit {@code h} set when hour {@code h} matches. */
    private final long hours;
    /** Bit {@code d} set when day-of-month {@code d} (1–31) matches. */
    private final long daysOfMonth;
    /** Bit {@code m} set when month {@code m} (1–12) matches. */
    private final long months;
    /** Bit {@code d} set when weekday {@code d} matches, 0 = Sunday … 6 = Saturday (a 7 is folded into 0). */
    private final long daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronWindow(String expression, long hours, long daysOfMonth, long months, long daysOfWeek,
            boolean dayOfMonthRestricted, boolean dayOfWeekRestricted) {
        this.expression = expression;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.dayOfMonthRestricted = dayOfMonthRestricted;
        this.dayOfWeekRestricted = dayOfWeekRestricted;
    }

    /**
     * Parses a cron expression of R7. Leading, trailing and repeated whitespace between fields is allowed.
     *
     * @param expression the five-field expression, e.g. {@code "* 8-18 * * 1-5"}
     * @return the window; its {@link #expression()} is {@code expression} exactly as given
     * @throws InvalidCronException if the expression is null, blank, does not have five fields, or a field is
     *                              not valid; the message names the field and says why
     */
    public static CronWindow parse(String expression) {
        if (expression == null) {
            throw new InvalidCronException("cron expression is missing");
        }
        String text = expression.strip();
        if (text.isEmpty()) {
            throw new InvalidCronException(
                    "cron expression is empty: expected 5 fields (minute hour day-of-month month day-of-week),"
                            + " e.g. '* 8-18 * * 1-5'");
        }
        if (text.startsWith("@")) {
            throw new InvalidCronException(
                    "cron macros such as '" + text + "' are not supported: write the 5 fields"
                            + " (minute hour day-of-month month day-of-week)");
        }
        String[] fields = text.split("\\s+");
        if (fields.length != 5) {
            throw new InvalidCronException("expected 5 fields (minute hour day-of-month month day-of-week), got "
                    + fields.length + " in '" + expression + "'");
        }
        if (!fields[0].equals("*")) {
            throw new InvalidCronException(
                    "minute field must be '*' (windows are whole hours), got '" + fields[0] + "'");
        }
        long hours = Field.HOUR.parse(fields[1]);
        long daysOfMonth = Field.DAY_OF_MONTH.parse(fields[2]);
        long months = Field.MONTH.parse(fields[3]);
        long daysOfWeek = Field.DAY_OF_WEEK.parse(fields[4]);
        if ((daysOfWeek & bit(7)) != 0) {
            daysOfWeek = (daysOfWeek & ~bit(7)) | bit(0);
        }
        return new CronWindow(expression, hours, daysOfMonth, months, daysOfWeek,
                !fields[2].equals("*"), !fields[4].equals("*"));
    }

    /**
     * The expression as it was given to {@link #parse}, whitespace included.
     *
     * @return the original text
     */
    public String expression() {
        return expression;
    }

    /**
     * Whether a local wall-clock date-time lies inside the window: its hour, month and day match (the day by
     * the day-of-month / day-of-week rule described on the class). Minutes and smaller units are ignored, so a
     * matching hour matches from {@code hh:00:00.000} to {@code hh:59:59.999…}.
     *
     * <p>The caller converts an instant to the preset's zone first; that is what makes a skipped
     * daylight-saving hour never match and a repeated one match twice (see {@link PrebuildSchedule#windowAt}).
     *
     * @param localWallClock a local date-time; not null
     * @return true when the window contains it
     */
    public boolean matches(LocalDateTime localWallClock) {
        return has(hours, localWallClock.getHour())
                && has(months, localWallClock.getMonthValue())
                && dayMatches(localWallClock.getDayOfMonth(), localWallClock.getDayOfWeek().getValue() % 7);
    }

    /**
     * Whether some real local date and hour matches both windows (R7). Every (month, day-of-month, weekday)
     * combination that exists on some calendar date counts: the day-of-month must exist in the month
     * (February 29 counts, leap years exist), and any weekday does, since every such date falls on every
     * weekday in some year. Symmetric; {@code w.overlaps(w)} equals {@code w.matchesSomeDate()}.
     *
     * @param other the other window; not null
     * @return true when the two windows share at least one real local hour
     */
    public boolean overlaps(CronWindow other) {
        Objects.requireNonNull(other, "other");
        return (hours & other.hours) != 0 && sharesSomeRealDayWith(other);
    }

    /**
     * Whether the window matches any real local date at all. False for windows such as {@code * * 31 2 *} or
     * {@code * * 30 2 *} (no such date), true for {@code * * 29 2 *} (leap years), and true for
     * {@code * * 31 2 1}, which also matches every Monday in February by the either-day rule.
     *
     * @return true when some real date and hour matches
     */
    public boolean matchesSomeDate() {
        // The hour mask is never empty (every accepted field selects at least one value).
        return sharesSomeRealDayWith(this);
    }

    /** Day rule of R7: either day field when both are restricted, otherwise both (an unrestricted mask is full). */
    boolean dayMatches(int dayOfMonth, int dayOfWeekSundayZero) {
        boolean domMatches = has(daysOfMonth, dayOfMonth);
        boolean dowMatches = has(daysOfWeek, dayOfWeekSundayZero);
        return dayOfMonthRestricted && dayOfWeekRestricted ? domMatches || dowMatches : domMatches && dowMatches;
    }

    /** Enumerates the 12 × 31 × 7 (month, day-of-month, weekday) combinations that occur on real dates. */
    private boolean sharesSomeRealDayWith(CronWindow other) {
        long commonMonths = months & other.months;
        for (Month month : Month.values()) {
            if (!has(commonMonths, month.getValue())) {
                continue;
            }
            for (int day = 1; day <= month.maxLength(); day++) {
                for (int weekday = 0; weekday < 7; weekday++) {
                    if (dayMatches(day, weekday) && other.dayMatches(day, weekday)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean has(long mask, int value) {
        return (mask & bit(value)) != 0;
    }

    private static long bit(int value) {
        return 1L << value;
    }

    /**
     * Equal when the expressions are the same text; two spellings of the same hours are not equal.
     *
     * @param o the other object
     * @return true for a {@code CronWindow} with the same {@link #expression()}
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof CronWindow other && expression.equals(other.expression);
    }

    /**
     * Hash of the expression text, consistent with {@link #equals}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    /**
     * The original expression.
     *
     * @return {@link #expression()}
     */
    @Override
    public String toString() {
        return expression;
    }

    /** The four restricting fields and their grammar; the minute field only accepts {@code *}. */
    private enum Field {
        HOUR("hour", 0, 23, "0-23"),
        DAY_OF_MONTH("day-of-month", 1, 31, "1-31"),
        MONTH("month", 1, 12, "1-12, 1 is January"),
        DAY_OF_WEEK("day-of-week", 0, 7, "0-7, 0 and 7 are Sunday, 1 is Monday");

        private final String label;
        private final int min;
        private final int max;
        private final String numbers;

        Field(String label, int min, int max, String numbers) {
            this.label = label;
            this.min = min;
            this.max = max;
            this.numbers = numbers;
        }

        /** The mask of values a field's text selects; never empty for valid text. */
        long parse(String text) {
            long mask = 0;
            // -1 keeps trailing empty elements, so "1," is reported rather than silently read as "1".
            for (String item : text.split(",", -1)) {
                if (item.isEmpty()) {
                    throw error("empty list element in '" + text + "'");
                }
                mask |= parseItem(item);
            }
            return mask;
        }

        private long parseItem(String item) {
            rejectUnsupportedSyntax(item);
            int slash = item.indexOf('/');
            String base = slash < 0 ? item : item.substring(0, slash);
            int step = 1;
            if (slash >= 0) {
                String stepText = item.substring(slash + 1);
                if (!isDigits(stepText)) {
                    throw error("step must be a whole number after '/', got '" + item + "'");
                }
                step = step(stepText);
                if (step < 1) {
                    throw error("step must be at least 1, got '" + item + "'");
                }
            }
            int from;
            int to;
            int dash = base.indexOf('-');
            if (base.equals("*")) {
                from = min;
                to = max;
            } else if (dash < 0) {
                if (!isDigits(base)) {
                    throw unreadable(item);
                }
                if (slash >= 0) {
                    throw error("a step needs '*' or a range before '/', got '" + item + "' (for every " + step
                            + " from " + base + " write '" + base + "-" + max + "/" + step + "')");
                }
                from = value(base);
                to = from;
            } else {
                String start = base.substring(0, dash);
                String end = base.substring(dash + 1);
                if (!isDigits(start) || !isDigits(end)) {
                    throw unreadable(item);
                }
                from = value(start);
                to = value(end);
                if (from > to) {
                    throw error("range " + base + " is reversed (the start must not be after the end)");
                }
            }
            long mask = 0;
            for (int v = from; v <= to; v += step) {
                mask |= bit(v);
            }
            return mask;
        }

        private void rejectUnsupportedSyntax(String item) {
            if (item.indexOf('#') >= 0) {
                throw error("'#' (nth weekday of the month) is not supported, got '" + item + "'");
            }
            if (item.indexOf('?') >= 0) {
                throw error("'?' is not supported, use '*', got '" + item + "'");
            }
            String letters = item.replaceAll("[^A-Za-z]", "").toUpperCase(Locale.ROOT);
            if (letters.equals("L") || letters.equals("LW")) {
                throw error("'L' (last) is not supported, got '" + item + "'");
            }
            if (letters.equals("W")) {
                throw error("'W' (nearest weekday) is not supported, got '" + item + "'");
            }
            if (!letters.isEmpty()) {
                throw error("names are not supported, use numbers (" + numbers + "), got '" + item + "'");
            }
        }

        private int value(String digits) {
            int value = number(digits);
            if (value < min || value > max) {
                throw error(digits + " is out of range " + min + "-" + max);
            }
            return value;
        }

        private int step(String digits) {
            // Any step wider than the field selects only the start; capping keeps "v += step" from overflowing.
            return Math.min(number(digits), max - min + 1);
        }

        /** The value of a run of ASCII digits, saturating at {@code Integer.MAX_VALUE} instead of overflowing. */
        private static int number(String digits) {
            long value = 0;
            for (int i = 0; i < digits.length() && value <= Integer.MAX_VALUE; i++) {
                value = value * 10 + (digits.charAt(i) - '0');
            }
            return (int) Math.min(value, Integer.MAX_VALUE);
        }

        private static boolean isDigits(String text) {
            if (text.isEmpty()) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }

        private InvalidCronException unreadable(String item) {
            return error("cannot read '" + item + "': expected '*', a number, a range a-b,"
                    + " a step */n or a-b/n, or a list of these separated by ','");
        }

        private InvalidCronException error(String reason) {
            return new InvalidCronException(label + " field: " + reason);
        }
    }
}
