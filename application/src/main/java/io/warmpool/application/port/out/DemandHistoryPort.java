package io.warmpool.application.port.out;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Claim arrivals (SPEC R13 demand: every claim, served or missed) as counts per preset name and minute, shared by
 * every replica. Each replica counts its claims in memory and adds them here in batches ({@link #addClaims}); the
 * pass's snapshot reads them back ({@link PresetSnapshotPort}: {@code PresetSnapshot.demand()}) as whole UTC hours
 * within the preset's lookback and the arrivals of the last hour.
 *
 * <p>Keyed by template and preset name ({@link PresetRef}), never by version: a new template version keeps the demand
 * of its preset's name. Counts are eventually consistent: an arrival is visible once the replica that counted it
 * has flushed (at its next reconcile tick), and lost if that replica dies before.
 */
public interface DemandHistoryPort {

    /** How long minute counts are kept: R13's last hour, and an hour of room for late flushes. */
    Duration MINUTES_KEPT = Duration.ofHours(2);

    /**
     * Adds the counts to the hourly and the minute totals of their preset names, in one statement (one transaction),
     * whatever their number: what two batches add for the same preset and minute adds up. A preset name that no
     * preset has (yet, or any more) is counted all the same.
     */
    void addClaims(List<ClaimArrivals> arrivals);

    /**
     * Deletes minute counts from before {@code now − }{@link #MINUTES_KEPT}, and hourly counts of hours that ended
     * before {@code now −} the longest lookback of any preset with autoscale ({@link Autoscale#MAX_LOOKBACK_DAYS}
     * when none has autoscale). One transaction.
     */
    void prune(Instant now);

    /**
     * Claims of one preset name that arrived in one minute.
     *
     * @param minute the minute's first instant (UTC)
     * @param claims how many, at least 1
     */
    record ClaimArrivals(PresetRef preset, Instant minute, int claims) {
        public ClaimArrivals {
            Objects.requireNonNull(preset, "preset");
            Objects.requireNonNull(minute, "minute");
            if (!minute.equals(minute.truncatedTo(ChronoUnit.MINUTES))) {
                throw new IllegalArgumentException("minute must be the start of a minute, got " + minute);
            }
            if (claims < 1) {
                throw new IllegalArgumentException("claims must be at least 1, got " + claims);
            }
        }
    }

    /** Nothing kept (a runtime that measures no demand). */
    DemandHistoryPort NONE = new DemandHistoryPort() {
        @Override
        public void addClaims(List<ClaimArrivals> arrivals) {
        }

        @Override
        public void prune(Instant now) {
        }
    };
}
