package io.warmpool.bootstrap.runtime;

import java.util.Objects;

/**
 * A long-running part of the service (the database, the provisioner's threads, the timer, the workers, the API, the
 * reconcile loop, the live view's ticker). Every part registers in one ordered {@code Multibinder<Lifecycle>}
 * (bootstrap's {@code ServiceModule}); {@link WarmpoolService} starts them in that order and stops them in reverse.
 * Its {@link #toString()} names the part in logs.
 */
public interface Lifecycle {

    /** Starts the part; may block until it is ready. Throws when it cannot start (the parts before it are stopped). */
    void start();

    /** Stops the part, releasing what it holds, within a bound. Only called after {@link #start()} returned. */
    void stop();

    /** A part made of two actions, named {@code name} in logs. */
    static Lifecycle of(String name, Runnable start, Runnable stop) {
        return new Named(name, start, stop);
    }

    /** A part whose start does nothing (it is ready once built) and whose stop releases what it holds. */
    static Lifecycle stopping(String name, Runnable stop) {
        return new Named(name, () -> { }, stop);
    }

    /** See {@link #of}. */
    record Named(String name, Runnable onStart, Runnable onStop) implements Lifecycle {
        public Named {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(onStart, "onStart");
            Objects.requireNonNull(onStop, "onStop");
        }

        @Override
        public void start() {
            onStart.run();
        }

        @Override
        public void stop() {
            onStop.run();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
