package io.warmpool.domain.schedule;

import java.time.LocalDateTime;

/** STUB — replaced by the schedule work. */
public final class CronWindow {

    private final String expression;

    private CronWindow(String expression) {
        this.expression = expression;
    }

    public static CronWindow parse(String expression) {
        throw new UnsupportedOperationException("stub");
    }

    public String expression() {
        return expression;
    }

    public boolean matches(LocalDateTime local) {
        throw new UnsupportedOperationException("stub");
    }

    public boolean overlaps(CronWindow other) {
        throw new UnsupportedOperationException("stub");
    }

    public boolean matchesSomeDate() {
        throw new UnsupportedOperationException("stub");
    }
}
