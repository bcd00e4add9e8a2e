package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A3 — hand the oldest eligible prebuild of a preset to a user, atomically, with the outputs its create
 * produced. Records {@code claim_succeeded} or {@code claim_missed} and nudges an immediate pass for that preset.
 *
 * <p>Its answer is its own type ({@link Attempt}), not the claim port's: a change of how the store reads a claim
 * does not change what callers (the REST API) see.
 */
public interface ClaimPrebuildUseCase {

    /**
     * A claim answered before this returns; with {@link ClaimCommand#maxWait()} it is {@link #claimWaiting}, waited
     * for on the caller's thread.
     *
     * @return {@link Claimed} or {@link Missed} ("no prebuilt workspace available"); with a wait also
     *         {@link TimedOut} or {@link Full}
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     * @throws io.warmpool.application.port.out.ConflictException when the command's idempotency key was used
     *         within 24 h for another preset or owner
     */
    Attempt claim(ClaimCommand command);

    /**
     * A claim that may wait (SPEC R12 {@code wait}): without {@link ClaimCommand#maxWait()} it is {@link #claim}, done
     * before this returns. With it, when nothing is eligible on arrival the claim joins the preset's queue of waiters
     * (first come, first served across replicas) and the future completes, on a thread of the service's, with
     * {@link Claimed} when a prebuild became ready in its turn, {@link TimedOut} when the wait ran out, or {@link Full}
     * at once when the preset already has as many waiters as allowed. Its arrival counts as a miss
     * ({@code claim_missed}) whether or not it is served later; a served waiter is also a {@code claim_succeeded}.
     *
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist (thrown, not in
     *         the future)
     */
    CompletableFuture<Attempt> claimWaiting(ClaimCommand command);

    /** What a claim gave. */
    sealed interface Attempt permits Claimed, Missed, TimedOut, Full, HandoffFailed {
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

    /** A waiting claim was not served within its wait; {@code retryAfter} is a fair time to try again. */
    record TimedOut(PresetId preset, Duration waited, Duration retryAfter) implements Attempt {
        public TimedOut {
            Objects.requireNonNull(preset, "preset");
            Objects.requireNonNull(waited, "waited");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** Nothing was eligible and the preset already has {@code limit} waiting claims: this one does not wait. */
    record Full(PresetId preset, int limit) implements Attempt {
        public Full {
            Objects.requireNonNull(preset, "preset");
        }
    }

    /**
     * The claim reserved a prebuild but the provisioner's claim transition failed or timed out (SPEC R12), and so did
     * the one retry with the next eligible prebuild (or none was eligible for it). Each failed prebuild is deleted
     * ({@code CLAIM_FAILED}); nothing was handed over.
     *
     * @param attempts how many prebuilds were tried (1 or 2)
     * @param error    what the last handoff said
     */
    record HandoffFailed(PresetId preset, int attempts, String error) implements Attempt {
        public HandoffFailed {
            Objects.requireNonNull(preset, "preset");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Deletes ({@code CLAIM_FAILED}) every prebuild reserved by a claim longer than the claim timeout ago whose handoff
     * never finished — its replica died (SPEC R12). Safe on every replica at once; called periodically.
     *
     * @return how many were reaped
     */
    default int reapStaleHandoffs() {
        return 0;
    }

    /**
     * The workspace handed over.
     *
     * @param createdAt when the prebuild's workspace was created
     * @param claimedAt when the claim took it
     * @param outputs   what its create produced (e.g. its URL), with a claim handoff's own outputs merged over them
     *                  (R12: the handoff's win)
     */
    record ClaimedWorkspace(WorkspaceId id, String name, String owner, PresetId preset, Instant createdAt,
                            Instant claimedAt, Map<String, String> outputs) {
        public ClaimedWorkspace {
            Objects.requireNonNull(id, "id");
            outputs = Map.copyOf(outputs);
        }
    }
}
