package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Something that happened to a preset or workspace.
 *
 * @param workspace the workspace concerned, or {@code null}
 * @param details   extra facts in insertion order, for example {@code until} for a backoff or {@code error} for a failure
 */
public record Event(Instant at, EventType type, PresetId preset, WorkspaceId workspace, Map<String, String> details) {

    public Event {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(preset, "preset");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static Event of(Instant at, EventType type, PresetId preset, WorkspaceId workspace) {
        return new Event(at, type, preset, workspace, Map.of());
    }

    /** A copy with one more detail. */
    public Event with(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new Event(at, type, preset, workspace, more);
    }
}
