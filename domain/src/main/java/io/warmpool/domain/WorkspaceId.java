package io.warmpool.domain;

import java.util.Objects;
import java.util.UUID;

/**
 * Identity of a workspace. Ordered by its canonical lowercase text, the tie-breaker of SPEC R2.3.
 */
public record WorkspaceId(UUID value) implements Comparable<WorkspaceId> {

    public WorkspaceId {
        Objects.requireNonNull(value, "value");
    }

    /** @throws IllegalArgumentException when the text is not a UUID */
    public static WorkspaceId parse(String text) {
        try {
            return new WorkspaceId(UUID.fromString(text));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("workspace id '" + text + "' is not a UUID");
        }
    }

    /** The canonical lowercase text of the id. */
    public String text() {
        return value.toString();
    }

    @Override
    public int compareTo(WorkspaceId other) {
        return text().compareTo(other.text());
    }

    @Override
    public String toString() {
        return text();
    }
}
