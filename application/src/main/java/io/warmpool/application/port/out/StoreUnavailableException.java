package io.warmpool.application.port.out;

/**
 * The store could not be reached or failed; the operation did not happen and may be retried.
 * Adapters throw it instead of leaking driver exceptions; its message never contains SQL or secrets.
 */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
