package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Objects;

/**
 * A prebuild whose latest build is a succeeded create: running, not claimed, not being deleted. Ordered by
 * {@link DeleteOrder#PREBUILDS}.
 *
 * @param createdAt when the workspace was created (its create build enqueued); TTL and invalidation count from here
 */
public record Prebuild(WorkspaceId id, Instant createdAt) {

    public Prebuild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
