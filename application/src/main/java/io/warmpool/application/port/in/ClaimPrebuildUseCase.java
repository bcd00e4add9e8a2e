package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A3 — hand the oldest eligible prebuild of a preset to a user, atomically, with the outputs its create
 * produced. Records {@code claim_succeeded} or {@code claim_missed} and nudges an immediate pass for that preset.
 *
 * <p>Its answer is its own type ({@link Attempt}), not the claim port's: a change of how the store reads a claim
 * does not change what callers (the REST API) see.
 */
public interface ClaimPrebuildUseCase {

    /**
     * @return {@link Claimed} or {@link Missed} ("no prebuilt workspace available")
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     * @throws io.warmpool.application.port.out.ConflictException when the command's idempotency key was used
     *         within 24 h for another preset or owner
     */
    Attempt claim(ClaimCommand command);

    /** What a claim gave. */
    sealed interface Attempt permits Claimed, Missed {
        /** The preset (active version) the claim was served from. */
        PresetId preset();
    }

    /**
     * The prebuild now belongs to the user.
     *
     * @param replayed whether this answers again a claim made earlier with the same idempotency key (nothing was
     *                 taken now)
     */
    record Claimed(ClaimedWorkspace workspace, boolean replayed) implements Attempt {
        public Claimed {
            Objects.requireNonNull(workspace, "workspace");
        }

        /** A claim made now. */
        public Claimed(ClaimedWorkspace workspace) {
            this(workspace, false);
        }

        @Override
        public PresetId preset() {
            return workspace.preset();
        }
    }

    /** No eligible prebuild was there. */
    record Missed(PresetId preset) implements Attempt {
        public Missed {
            Objects.requireNonNull(preset, "preset");
        }
    }

    /**
     * The workspace handed over.
     *
     * @param createdAt when the prebuild's workspace was created
     * @param claimedAt when the claim took it
     * @param outputs   what its create produced (e.g. its URL)
     */
    record ClaimedWorkspace(WorkspaceId id, String name, String owner, PresetId preset, Instant createdAt,
                            Instant claimedAt, Map<String, String> outputs) {
        public ClaimedWorkspace {
            Objects.requireNonNull(id, "id");
            outputs = Map.copyOf(outputs);
        }
    }
}
