package io.warmpool.application.service;

import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.domain.PresetRef;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim arrivals (SPEC R13 demand) counted in memory per preset name and arrival minute, and added to the
 * {@link DemandHistoryPort} in one batch per {@link #flush()} — at every reconcile tick of every replica and when the
 * service stops — so that a claim costs no statement and no row lock of its own (claims run at thousands per
 * second; their claim is one statement). A replica that dies loses the arrivals it counted since its last flush, at
 * most one tick's (docs/decisions.md).
 *
 * <p>Thread-safe and exact: an arrival is a {@link ConcurrentHashMap#merge} of its key, and a flush takes each
 * key's count with {@link ConcurrentHashMap#remove}, both atomic per key, so an arrival counted during a flush is
 * either in that flush or in the next, never lost or counted twice. A flush that fails puts its counts back.
 */
public final class ClaimArrivals {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimArrivals.class);

    private record Key(PresetRef preset, Instant minute) {
    }

    private final DemandHistoryPort demand;
    private final Map<Key, Integer> counts = new ConcurrentHashMap<>();

    public ClaimArrivals(DemandHistoryPort demand) {
        this.demand = Objects.requireNonNull(demand, "demand");
    }

    /** Counts one claim of {@code preset} that arrived at {@code at} (the claim's arrival, from the service's clock). */
    public void arrived(PresetRef preset, Instant at) {
        counts.merge(new Key(preset, at.truncatedTo(ChronoUnit.MINUTES)), 1, Integer::sum);
    }

    /**
     * Adds what was counted since the last flush to the port, in one batch (nothing when nothing was counted).
     * Serialised, so that a failed flush's counts are back before the next takes them.
     *
     * @return how many arrivals were added
     * @throws RuntimeException the port's failure; the counts are kept for the next flush
     */
    public synchronized int flush() {
        List<DemandHistoryPort.ClaimArrivals> batch = new ArrayList<>();
        for (Key key : List.copyOf(counts.keySet())) {
            Integer n = counts.remove(key);
            if (n != null) {
                batch.add(new DemandHistoryPort.ClaimArrivals(key.preset(), key.minute(), n));
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            demand.addClaims(batch);
        } catch (RuntimeException e) {
            batch.forEach(a -> counts.merge(new Key(a.preset(), a.minute()), a.claims(), Integer::sum));
            LOG.atDebug().log(() -> "adding " + batch.size() + " claim count(s) failed; kept for the next flush");
            throw e;
        }
        return batch.stream().mapToInt(DemandHistoryPort.ClaimArrivals::claims).sum();
    }

    /** Arrivals counted and not flushed yet (for tests and status). */
    public int pending() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
