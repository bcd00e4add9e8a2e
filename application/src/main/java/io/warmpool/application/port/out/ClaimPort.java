package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Hands prebuilds to users (SPEC A3).
 *
 * <p>Contract: one transaction that resolves {@code template/preset} to the active version's preset, takes its
 * oldest eligible prebuild (R1, with {@link io.warmpool.domain.plan.Eligibility}; oldest by
 * {@link io.warmpool.domain.plan.DeleteOrder}: {@code createdAt}, ties by id) with {@code FOR UPDATE SKIP LOCKED}, moves ownership and name, and returns it with the outputs
 * its create produced. Two concurrent claims never get the same workspace. An inactive preset has no eligible
 * prebuilds.
 */
public interface ClaimPort {

    /**
     * @throws NotFoundException when the template or preset does not exist
     */
    Attempt claim(PresetRef preset, String owner, String name, Instant now);

    /** What a claim found. */
    sealed interface Attempt permits Claimed, Missed {
        PresetId preset();
    }

    /** The prebuild now belongs to the user. */
    record Claimed(ClaimedWorkspace workspace) implements Attempt {
        @Override
        public PresetId preset() {
            return workspace.preset();
        }
    }

    /** No eligible prebuild was there. */
    record Missed(PresetId preset) implements Attempt {
    }

    /**
     * @param createdAt when the prebuild's workspace was created (the instant TTL and invalidation count from)
     * @param claimedAt the {@code now} of the claim
     */
    record ClaimedWorkspace(WorkspaceId id, String name, String owner, PresetId preset, Instant createdAt,
                            Instant claimedAt, Map<String, String> outputs) {
        public ClaimedWorkspace {
            Objects.requireNonNull(id, "id");
            outputs = Map.copyOf(outputs);
        }
    }
}
