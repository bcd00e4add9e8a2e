package io.warmpool.application.port.out;

/** Something the caller named does not exist (a preset, a workspace). Adapters map it to HTTP 404 / exit 1. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
