package io.warmpool.application.port.out;

import java.util.Objects;

/** Identity of one worker slot of one replica, for example {@code host-1234/w2}; recorded on the jobs it holds. */
public record WorkerId(String value) {

    public WorkerId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank() || value.length() > 200) {
            throw new IllegalArgumentException("worker id must be 1 to 200 characters");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
