package io.warmpool.application.fakes;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.domain.PresetId;
import java.util.ArrayList;
import java.util.List;

/** Keeps every published event, in order. Thread-safe. */
public final class RecordingEvents implements EventSinkPort {

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void publish(List<Event> published) {
        events.addAll(published);
    }

    public synchronized List<Event> all() {
        return List.copyOf(events);
    }

    public synchronized List<Event> ofType(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    public synchronized List<Event> of(PresetId preset, EventType type) {
        return events.stream().filter(e -> e.type() == type && e.preset().equals(preset)).toList();
    }

    public synchronized List<EventType> types() {
        return events.stream().map(Event::type).toList();
    }

    public synchronized void clear() {
        events.clear();
    }
}
