package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 *
 * <p>Claim handoff (SPEC R12), used only when the provisioner has a claim transition: {@link #reserve} takes the
 * oldest eligible prebuild exactly as {@link #claim} would, but only marks it {@code claiming} (still owned by the
 * prebuilds owner, never eligible, counted nowhere in the pool) at the reservation's instant; {@link #finish} then
 * hands it over, or {@link #abandon} deletes it ({@link DeleteRequest.Reason#CLAIM_FAILED}), each only while that very
 * reservation still holds; {@link #reapReservations} abandons reservations whose replica died. Each is one
 * transaction. A reserved workspace is therefore finished at most once and never handed out twice. A keyed
 * reservation stores its key at once, pending: the same key meanwhile answers {@link InProgress} and takes nothing;
 * {@link #finish} stores the final answer under the key, {@link #abandon} and the reaper forget the key.
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

    /**
     * R12 step 1: reserves the oldest eligible prebuild of {@code preset} (as {@link #claim(PresetRef, String, String,
     * Instant)} picks it) for {@code owner} and {@code name}: its phase becomes {@code claiming} at {@code now}.
     *
     * @return {@link Reserved} or {@link Missed}
     * @throws NotFoundException when the template or preset does not exist
     */
    Attempt reserve(PresetRef preset, String owner, String name, Instant now);

    /**
     * {@link #reserve(PresetRef, String, String, Instant)} under an idempotency key, with the rules of
     * {@link #claim(PresetRef, String, String, Instant, String)}: a claim finished under the key answers
     * {@link Claimed} (replayed); one still being handed over (reserved, not yet finished or abandoned) answers
     * {@link InProgress}; otherwise the reservation is stored under the key, pending, in the same transaction.
     *
     * @return {@link Reserved}, {@link Missed}, {@link Claimed} (replayed) or {@link InProgress}
     * @throws ConflictException naming the key when it is stored for another preset or owner
     * @throws NotFoundException when the template or preset does not exist
     */
    Attempt reserve(PresetRef preset, String owner, String name, Instant now, String idempotencyKey);

    /**
     * R12 success: hands the reserved workspace over — owner and name of the reservation, phase running,
     * {@code claimed_at = now}, its outputs replaced by {@code outputs} (the caller merged them) — only when it is
     * still {@code claiming} under this reservation (same {@link Reservation#reservedAt()}). With a key, the key's
     * stored answer becomes this one (no longer pending).
     *
     * @return the workspace as handed over, or empty when the reservation no longer holds (it was reaped)
     */
    Optional<ClaimedWorkspace> finish(Reservation reservation, Map<String, String> outputs, Instant now);

    /**
     * R12 failure: the reserved workspace gets a pending delete build with reason
     * {@link DeleteRequest.Reason#CLAIM_FAILED} (phase deleting), only when it is still {@code claiming} under this
     * reservation; its pending idempotency key, if any, is forgotten. Not a creation failure: no failure state changes.
     *
     * @return whether it was abandoned now (false: finished or abandoned already)
     */
    boolean abandon(Reservation reservation, Instant now);

    /**
     * Abandons (as {@link #abandon}) every reservation made at or before {@code reservedAtOrBefore}: its replica died
     * or never finished it within the claim timeout. Safe on several replicas at once: each is abandoned once.
     *
     * @return the reservations abandoned now
     */
    List<Abandoned> reapReservations(Instant reservedAtOrBefore, Instant now);

    /** What a claim found. */
    sealed interface Attempt permits Claimed, Missed, Reserved, InProgress {
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

    /** R12 step 1 done: the prebuild is {@code claiming}, to be finished or abandoned. */
    record Reserved(Reservation reservation) implements Attempt {
        public Reserved {
            Objects.requireNonNull(reservation, "reservation");
        }

        @Override
        public PresetId preset() {
            return reservation.preset();
        }
    }

    /** A claim under the same idempotency key is being handed over right now (reserved, not finished). */
    record InProgress(PresetId preset) implements Attempt {
        public InProgress {
            Objects.requireNonNull(preset, "preset");
        }
    }

    /**
     * A reserved prebuild.
     *
     * @param owner          who it is being handed to
     * @param name           the name it gets
     * @param createdAt      when its workspace was created
     * @param reservedAt     the reservation's instant (its identity for {@link #finish} and {@link #abandon})
     * @param outputs        what its create produced
     * @param idempotencyKey the key it is stored under, if any
     */
    record Reservation(WorkspaceId id, PresetId preset, String owner, String name, Instant createdAt,
                       Instant reservedAt, Map<String, String> outputs, Optional<String> idempotencyKey) {
        public Reservation {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(preset, "preset");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reservedAt, "reservedAt");
            outputs = Map.copyOf(outputs);
            idempotencyKey = idempotencyKey == null ? Optional.empty() : idempotencyKey;
        }
    }

    /** A reservation abandoned by {@link #reapReservations}. */
    record Abandoned(WorkspaceId workspace, PresetId preset, Instant reservedAt) {
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
