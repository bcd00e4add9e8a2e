package io.warmpool.application.port.out;

/** Identity of a build job in the queue. */
public record JobId(long value) {

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
