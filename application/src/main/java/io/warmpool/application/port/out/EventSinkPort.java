package io.warmpool.application.port.out;

import java.util.List;

/**
 * Receives events after the change they describe has been stored (so a published event always happened).
 * Used for the event log, metrics and the simulator. An implementation must not throw for a bad consumer:
 * losing an event must never undo or block the work it describes.
 */
public interface EventSinkPort {

    void publish(List<Event> events);

    /** A sink that drops everything. */
    EventSinkPort NONE = events -> { };
}
