package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A prebuild whose latest build is a succeeded create: running, not claimed, not being deleted.
 *
 * @param createdAt when the workspace was created (its create build enqueued); TTL and invalidation count from here
 */
public record Prebuild(WorkspaceId id, Instant createdAt) {

    /** Oldest first, ties by the id's canonical lowercase text (SPEC R2.3). */
    public static final Comparator<Prebuild> OLDEST_FIRST = (a, b) -> {
        int byAge = a.createdAt.compareTo(b.createdAt);
        return byAge != 0 ? byAge : a.id.compareTo(b.id);
    };

    public Prebuild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
