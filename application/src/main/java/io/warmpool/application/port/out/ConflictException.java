package io.warmpool.application.port.out;

/** The request is valid but the current state does not allow it (for example releasing an unclaimed prebuild). */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
