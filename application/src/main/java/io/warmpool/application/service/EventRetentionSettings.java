package io.warmpool.application.service;

import io.warmpool.application.port.out.EventRetentionPort;
import java.time.Duration;
import java.util.Objects;

/**
 * How the event log is pruned.
 *
 * @param retention        how long events are kept (setting {@code events-retention}, default 30 days);
 *                         {@link Duration#ZERO} keeps them forever, otherwise at least {@link #MIN_RETENTION}
 * @param every            the time between two runs while no backlog is left
 * @param batchSize        the most events one statement deletes, 1…{@link EventRetentionPort#MAX_BATCH}
 * @param maxBatchesPerRun the most statements of one run
 * @param budget           a run starts no further statement once this much time has passed (injected clock)
 */
public record EventRetentionSettings(Duration retention, Duration every, int batchSize, int maxBatchesPerRun,
                                     Duration budget) {

    /**
     * The shortest retention that is not zero: the dashboard counts the claims of the last hour
     * ({@link PresetHistoryService#CLAIMS_WINDOW}) from the event log.
     */
    public static final Duration MIN_RETENTION = PresetHistoryService.CLAIMS_WINDOW;

    /** 30 days; a run every 5 minutes of at most 10 statements of 10,000 events, stopped after 1 s. */
    public static final EventRetentionSettings DEFAULTS = new EventRetentionSettings(Duration.ofDays(30),
            Duration.ofMinutes(5), EventRetentionPort.MAX_BATCH, 10, Duration.ofSeconds(1));

    public EventRetentionSettings {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(every, "every");
        Objects.requireNonNull(budget, "budget");
        if (retention.isNegative() || (!retention.isZero() && retention.compareTo(MIN_RETENTION) < 0)) {
            throw new IllegalArgumentException("events-retention must be 0 (keep events forever) or at least 1h, got "
                    + retention);
        }
        if (every.isNegative() || every.isZero() || budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("every and budget must be positive, got " + every + " and " + budget);
        }
        if (batchSize < 1 || batchSize > EventRetentionPort.MAX_BATCH || maxBatchesPerRun < 1) {
            throw new IllegalArgumentException("batchSize must be 1…" + EventRetentionPort.MAX_BATCH
                    + " and maxBatchesPerRun at least 1, got " + batchSize + " and " + maxBatchesPerRun);
        }
    }

    /** The defaults, keeping events for {@code retention}. */
    public static EventRetentionSettings keeping(Duration retention) {
        return new EventRetentionSettings(retention, DEFAULTS.every, DEFAULTS.batchSize, DEFAULTS.maxBatchesPerRun,
                DEFAULTS.budget);
    }

    /** Whether events are pruned at all. */
    public boolean enabled() {
        return !retention.isZero();
    }
}
