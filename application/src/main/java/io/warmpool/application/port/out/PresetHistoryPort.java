package io.warmpool.application.port.out;

import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What operators look back on, stored with the data so that every replica sees the same: the last pass each
 * replica ran, samples of each pool over time, and a preset's claims and builds. Each call is one read or one
 * write (one transaction).
 */
public interface PresetHistoryPort {

    /**
     * Records a pass that ran (replacing the earlier record of the same replica) and the pool samples it took.
     * A sample whose preset already has one in the same minute (by {@link PoolSample#at()}, from any replica) is
     * ignored, so there is at most one sample per preset and minute.
     */
    void recordPass(PassRecord pass, List<PoolSample> samples);

    /** Deletes samples and pass records from before {@code before}. */
    void prune(Instant before);

    /** The latest pass of any replica, by start time. */
    Optional<PassRecord> lastPass();

    /** The preset's samples taken at or after {@code since}, oldest first. */
    List<PoolSample> samples(PresetId preset, Instant since);

    /** How many claims of the preset were served and missed at or after {@code since} (the event log). */
    ClaimCounts claims(PresetId preset, Instant since);

    /** The preset's builds (of every workspace, creates and deletes), newest first; {@code limit} is 1…1000. */
    default List<PresetBuild> recentBuilds(PresetId preset, int limit) {
        return recentBuilds(preset, Long.MAX_VALUE, limit);
    }

    /**
     * One page of the preset's builds (of every workspace, creates and deletes), newest first by build id.
     *
     * @param beforeBuild only builds with a smaller id (the last of the previous page), {@link Long#MAX_VALUE} for
     *                    the first page
     * @param limit       1…1001
     */
    List<PresetBuild> recentBuilds(PresetId preset, long beforeBuild, int limit);

    /**
     * One pass as every replica sees it.
     *
     * @param startedAt when the pass started (the injected clock)
     * @param replica   the replica that ran it
     * @param presets   presets it planned (all of them for a periodic pass, the nudged ones for a nudge)
     */
    record PassRecord(Instant startedAt, Duration duration, String replica, int presets, int creates, int deletes,
                      int cancels, int failures) {
        public PassRecord {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(replica, "replica");
        }
    }

    /** A pool as a pass saw it (R1 counts). */
    record PoolSample(PresetId preset, Instant at, int desired, int eligible, int starting, int failed) {
        public PoolSample {
            Objects.requireNonNull(preset, "preset");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Claims served (a prebuild was handed out) and missed (none was ready). */
    record ClaimCounts(long served, long missed) {
    }

    /** A build of one of the preset's workspaces. */
    record PresetBuild(WorkspaceId workspace, BuildView build) {
        public PresetBuild {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(build, "build");
        }
    }
}
