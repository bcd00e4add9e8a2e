package io.warmpool.application.port.out;

import java.time.Instant;

/**
 * Keeps the event log bounded: deletes its old events a bounded batch at a time, never in one long statement (a
 * delete of millions of rows would hold their row locks, keep one snapshot open and bloat the table all at once).
 *
 * <p>Each call is one statement in a transaction of its own, committed when the call returns; repeating a call is
 * always safe. Calls need no lock for correctness, but callers run them from one replica at a time (under the
 * reconciliation lock) so that replicas do not compete to delete the same rows.
 */
public interface EventRetentionPort {

    /** The most events one call may delete. */
    int MAX_BATCH = 10_000;

    /**
     * Deletes at most {@code limit} events that happened strictly before {@code before}, the oldest first. Events
     * at or after {@code before} are never deleted.
     *
     * @param limit 1…{@value #MAX_BATCH}
     * @return how many events were deleted; fewer than {@code limit} means that no event older than
     *         {@code before} was left when the statement ran
     * @throws IllegalArgumentException when {@code limit} is out of range
     * @throws StoreUnavailableException when the store fails (nothing was deleted then)
     */
    int deleteEventsBefore(Instant before, int limit);
}
