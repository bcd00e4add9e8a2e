package io.warmpool.adapters.db.embedded;

/** The embedded PostgreSQL cannot be prepared, started or trusted; the message says why and what to do. */
public final class EmbeddedPostgresException extends RuntimeException {

    public EmbeddedPostgresException(String message) {
        super(message);
    }

    public EmbeddedPostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
