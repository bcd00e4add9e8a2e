package io.warmpool.application.port.in;

/**
 * Keeps the event log within its retention: events older than the retention (setting {@code events-retention})
 * are deleted, at most every few minutes, by one replica at a time (it holds the reconciliation lock while it
 * deletes), in bounded batches and for a bounded time per run, so a pass of another replica is never held up for
 * long. A run that leaves older events behind (a backlog) makes the next call due at once.
 */
public interface PruneEventsUseCase {

    /**
     * Prunes if a run is due, retention is enabled and the reconciliation lock is free; otherwise does nothing.
     *
     * @return how many events were deleted (0 when nothing was due, done or possible)
     * @throws io.warmpool.application.port.out.StoreUnavailableException when the store fails; the run is then
     *         due again at the next call
     */
    long pruneIfDue();
}
