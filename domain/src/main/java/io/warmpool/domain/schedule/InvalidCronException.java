package io.warmpool.domain.schedule;

/**
 * A schedule window's cron expression is not one that R7 accepts.
 *
 * <p>The message names the offending field (for example {@code "hour field: 24 is out of range 0-23"}) or, when
 * no single field is at fault, says what is wrong with the expression as a whole (empty, wrong number of
 * fields). It does not name the template, preset or window: the caller that knows them adds them.
 */
public final class InvalidCronException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the field when one field is at fault
     */
    public InvalidCronException(String message) {
        super(message);
    }
}
