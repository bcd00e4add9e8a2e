package io.warmpool.application.service;

import io.warmpool.application.port.in.PruneEventsUseCase;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import io.warmpool.domain.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the event log ({@link PruneEventsUseCase}). A run holds the reconciliation lock, so one replica prunes at
 * a time and never while a pass runs; it is bounded in statements and in time, so another replica's pass waits for
 * it at most about {@link EventRetentionSettings#budget()} (that pass is skipped, the next one runs). Thread-safe.
 */
public final class EventRetentionService implements PruneEventsUseCase {

    private static final Logger LOG = LoggerFactory.getLogger(EventRetentionService.class);

    private final Clock clock;
    private final ReconciliationLockPort lock;
    private final EventRetentionPort events;
    private final MetricsPort metrics;
    private final EventRetentionSettings settings;
    /** When the next run is due; {@code null}: at once. */
    private Instant due;

    public EventRetentionService(Clock clock, ReconciliationLockPort lock, EventRetentionPort events,
                                 MetricsPort metrics, EventRetentionSettings settings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public synchronized long pruneIfDue() {
        if (!settings.enabled()) {
            return 0;
        }
        Instant now = Clocks.now(clock);
        if (due != null && now.isBefore(due)) {
            return 0;
        }
        // Held elsewhere (a pass or a prune of another replica): tried again at the next call.
        Optional<HeldLock> held = lock.tryAcquire();
        if (held.isEmpty()) {
            return 0;
        }
        try (HeldLock ignored = held.get()) {
            Instant started = Clocks.now(clock);
            Instant cutoff = started.minus(settings.retention());
            Instant stopAt = started.plus(settings.budget());
            long deleted = 0;
            int batches = 0;
            boolean backlog;
            do {
                int n = events.deleteEventsBefore(cutoff, settings.batchSize());
                deleted += n;
                batches++;
                backlog = n == settings.batchSize();
            } while (backlog && batches < settings.maxBatchesPerRun() && Clocks.now(clock).isBefore(stopAt));
            // A backlog (a first run on a large log, or a burst) is worked off one bounded run after each pass.
            due = backlog ? started : started.plus(settings.every());
            if (deleted > 0) {
                metrics.eventsPruned(deleted);
                long count = deleted;
                int statements = batches;
                boolean more = backlog;
                Duration took = Duration.between(started, Clocks.now(clock));
                LOG.info("pruned " + count + " event(s) older than " + cutoff + " (events-retention "
                        + Durations.format(settings.retention()) + ") in " + statements
                        + " statement(s), " + took.toMillis() + " ms" + (more ? "; more left, continuing after the next pass" : ""));
            }
            return deleted;
        }
    }
}
