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

    /**
     * The order of the canonical lowercase text, computed without building it: the text is the 32 hex digits of
     * the most and then the least significant bits, fixed width, dashes at fixed places, and {@code '0'…'9'} sort
     * before {@code 'a'…'f'}, so comparing the texts is comparing the two halves as unsigned numbers.
     */
    @Override
    public int compareTo(WorkspaceId other) {
        int byHigh = Long.compareUnsigned(value.getMostSignificantBits(), other.value.getMostSignificantBits());
        return byHigh != 0 ? byHigh : Long.compareUnsigned(value.getLeastSignificantBits(), other.value.getLeastSignificantBits());
    }

    @Override
    public String toString() {
        return text();
    }
}
