package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A prebuild whose latest build failed (SPEC R1 {@code failed}); it does not count as running and is
 * deleted once it has been failed for the failed-retention (R8).
 *
 * @param createdAt when the workspace was created (the ordering key of R2.3)
 * @param failedAt  when the failing build finished
 */
public record FailedPrebuild(WorkspaceId id, Instant createdAt, Instant failedAt) {

    /** Oldest first, ties by the id's canonical lowercase text (SPEC R2.3). */
    public static final Comparator<FailedPrebuild> OLDEST_FIRST = (a, b) -> {
        int byAge = a.createdAt.compareTo(b.createdAt);
        return byAge != 0 ? byAge : a.id.compareTo(b.id);
    };

    public FailedPrebuild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(failedAt, "failedAt");
    }
}
