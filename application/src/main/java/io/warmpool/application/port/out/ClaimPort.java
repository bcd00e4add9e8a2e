package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
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
 *
 * <p>Idempotent claims (SPEC R12, {@link #claim(PresetRef, String, String, Instant, String)}): a claim that took a
 * workspace is stored under its key with its answer, in the same statement as the hand-over; the same key within
 * {@link #IDEMPOTENCY_WINDOW} answers that stored claim again ({@link Claimed#replayed()}) and takes nothing, also
 * when the two claims run concurrently (on any replica: the store decides). A claim that found nothing stores
 * nothing. A key older than the window is forgotten: it claims anew.
 */
public interface ClaimPort {

    /** How long a claim is remembered under its idempotency key. */
    Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    /**
     * @throws NotFoundException when the template or preset does not exist
     */
    Attempt claim(PresetRef preset, String owner, String name, Instant now);

    /**
     * A claim under an idempotency key. No claim stored under {@code idempotencyKey} in the window
     * ({@code storedAt > now − IDEMPOTENCY_WINDOW}) → as {@link #claim(PresetRef, String, String, Instant)}, and a
     * {@link Claimed} is stored under the key (a {@link Missed} is not). One stored → that claim's
     * {@link ClaimedWorkspace} exactly as first answered, with {@link Claimed#replayed()} set, and nothing is taken
     * — when it was made for the same preset reference and owner; the {@code name} is not compared (a default one
     * is drawn anew per request).
     *
     * @param idempotencyKey a valid key (1…255 visible ASCII characters, checked by the claim command)
     * @throws ConflictException naming the key when it is stored for another preset or owner
     * @throws NotFoundException when the template or preset does not exist
     */
    Attempt claim(PresetRef preset, String owner, String name, Instant now, String idempotencyKey);

    /** What a claim found. */
    sealed interface Attempt permits Claimed, Missed {
        PresetId preset();
    }

    /**
     * The prebuild now belongs to the user.
     *
     * @param replayed whether this is a claim stored earlier under the same idempotency key, answered again
     */
    record Claimed(ClaimedWorkspace workspace, boolean replayed) implements Attempt {

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
