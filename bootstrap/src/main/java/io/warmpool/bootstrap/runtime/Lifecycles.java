package io.warmpool.bootstrap.runtime;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts parts in order and stops the started ones in reverse: on {@link #stop()}, or at once when a start fails
 * (then the failure is rethrown). A part that fails to stop is logged and the others still stop.
 */
final class Lifecycles {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycles.class);

    private final List<Lifecycle> parts;
    private final Deque<Lifecycle> started = new ArrayDeque<>();

    Lifecycles(List<Lifecycle> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Starts every part in order; on failure stops what had started, in reverse, and rethrows. */
    synchronized void start() {
        if (!started.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (Lifecycle part : parts) {
            try {
                part.start();
            } catch (RuntimeException | Error e) {
                stop();
                throw e;
            }
            started.push(part);
        }
    }

    /** Stops the started parts in reverse order of start. Safe to call twice. */
    synchronized void stop() {
        while (!started.isEmpty()) {
            Lifecycle part = started.pop();
            try {
                part.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping " + part + " failed: " + e.getMessage());
            }
        }
    }

    /** Whether {@code part} has started and not stopped. */
    synchronized boolean isStarted(Lifecycle part) {
        return started.contains(part);
    }

    List<Lifecycle> parts() {
        return parts;
    }
}
