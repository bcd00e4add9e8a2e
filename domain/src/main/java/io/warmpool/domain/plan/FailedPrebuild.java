package io.warmpool.domain.plan;

import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Objects;

/**
 * A prebuild whose latest build failed (SPEC R1 {@code failed}); it does not count as running and is
 * deleted once it has been failed for the failed-retention (R8).
 *
 * @param createdAt when the workspace was created (the ordering key of R2.3, {@link DeleteOrder#FAILED})
 * @param failedAt  when the failing build finished
 */
public record FailedPrebuild(WorkspaceId id, Instant createdAt, Instant failedAt) {

    public FailedPrebuild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(failedAt, "failedAt");
    }
}
