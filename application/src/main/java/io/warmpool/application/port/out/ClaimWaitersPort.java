package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Claims that wait for a prebuild (SPEC R12 {@code wait}), first come, first served across every replica that
 * shares the store.
 *
 * <p>Contract: a waiter is a row of the store with an arrival number (increasing across replicas: the order of
 * {@link #join}s that returned) and an expiry. A waiter takes a prebuild only through {@link #claimInTurn}, which in
 * one transaction (one statement on PostgreSQL) checks that no older <em>live</em> waiter of the same preset (one whose
 * expiry is after {@code now}) exists, takes the oldest eligible prebuild exactly as {@link ClaimPort#claim} does, and
 * removes the waiter. Expired waiters (their replica died) never block anyone and are cleaned at the next join of
 * their preset. Notifications ({@link #announce}, and every prebuild of a preset becoming eligible by a successful
 * create) reach every subscriber of every replica, best effort and at most once, after the change committed.
 */
public interface ClaimWaitersPort {

    /** The waiter number of a claim that has not joined the queue: every live waiter is older. */
    long NOT_WAITING = Long.MAX_VALUE;

    /**
     * Adds a waiter for {@code preset} unless it already has {@code maxWaiters} live waiters (counted and added
     * under a per-preset lock, so replicas cannot overshoot together); removes the preset's expired waiters.
     *
     * @return the waiter's number (its place in the queue), or empty when the queue is full
     */
    OptionalLong join(PresetId preset, Instant now, Instant expiresAt, int maxWaiters);

    /**
     * Takes the oldest eligible prebuild of {@code preset}'s active version for waiter {@code waiter} (or for a claim
     * not waiting yet, {@link #NOT_WAITING}) when no older live waiter of that preset exists; on success removes the
     * waiter, in the same transaction.
     *
     * @throws NotFoundException when the template or preset does not exist
     */
    Turn claimInTurn(long waiter, PresetRef preset, String owner, String name, Instant now);

    /**
     * {@link #claimInTurn} for a claim handoff (SPEC R12): the prebuild is reserved as {@link ClaimPort#reserve} does
     * (its attempt {@link ClaimPort.Reserved}) instead of handed over; the waiter is removed when one was reserved.
     *
     * @throws NotFoundException when the template or preset does not exist
     */
    Turn reserveInTurn(long waiter, PresetRef preset, String owner, String name, Instant now);

    /** Removes a waiter that gives up (timed out, or its replica stops); unknown numbers are ignored. */
    void leave(long waiter);

    /** Tells every replica's waiters of {@code preset} to try again (a waiter ahead of them has left or been served). */
    void announce(PresetId preset);

    /**
     * Calls {@code listener} with the preset for every {@link #announce} and every prebuild that became eligible (its
     * create succeeded), on a thread of the adapter's, until the subscription is closed.
     */
    NudgePort.Subscription listen(Consumer<PresetId> listener);

    /**
     * What {@link #claimInTurn} did.
     *
     * @param attempt          the claim's outcome, as {@link ClaimPort#claim} answers it
     * @param olderWaiterUntil when the attempt missed and live waiters older than this one exist: the earliest of
     *                         their expiries (a waiter whose replica died blocks at most until then)
     */
    record Turn(ClaimPort.Attempt attempt, Optional<Instant> olderWaiterUntil) {
        public Turn {
            Objects.requireNonNull(attempt, "attempt");
            Objects.requireNonNull(olderWaiterUntil, "olderWaiterUntil");
        }
    }
}
