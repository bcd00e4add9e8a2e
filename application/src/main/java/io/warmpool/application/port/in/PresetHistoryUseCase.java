package io.warmpool.application.port.in;

import io.warmpool.domain.PrebuildPolicy.DesiredSpan;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Read-only views of the recent past, for operators: the last pass, and a preset's activity and builds. Its answers
 * are its own types, not the history port's read-models.
 */
public interface PresetHistoryUseCase {

    /** The most pool history {@link #activity} looks back. */
    Duration MAX_HISTORY = Duration.ofHours(24);
    /** The most builds {@link #recentBuilds} returns. */
    int MAX_BUILDS = 100;

    /** The latest pass any replica ran (recorded within the last day). */
    Optional<LastPass> lastPass();

    /**
     * The active version of {@code ref}: today's schedule in its timezone, its claims over the last hour and its
     * pool samples over the last {@code history}.
     *
     * @param history 1 minute … {@link #MAX_HISTORY}
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     * @throws IllegalArgumentException                           when {@code history} is out of range
     */
    PresetActivity activity(PresetRef ref, Duration history);

    /**
     * The latest builds of the active version of {@code ref}, newest first.
     *
     * @param limit 1…{@value #MAX_BUILDS}
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     * @throws IllegalArgumentException                           when {@code limit} is out of range
     */
    default List<PresetBuild> recentBuilds(PresetRef ref, int limit) {
        return recentBuilds(ref, null, limit).items();
    }

    /**
     * One page of the builds of the active version of {@code ref}, newest first (by build id).
     *
     * @param cursor the {@code next} of the previous page, or {@code null} for the first
     * @param limit  1…{@value #MAX_BUILDS}
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist
     * @throws IllegalArgumentException when the cursor is not one this list gave, or the limit is out of range
     */
    Page<PresetBuild> recentBuilds(PresetRef ref, String cursor, int limit);

    /**
     * @param at           when this was read (the service clock)
     * @param zone         the preset's schedule timezone
     * @param today        the local date of {@code at} in {@code zone}
     * @param schedule     the desired pool size hour by hour on {@code today}
     * @param claimsSince  the start of the claims' hour
     * @param samplesSince the start of the samples' window
     * @param samples      pool samples since {@code samplesSince}, oldest first (at most one a minute)
     */
    record PresetActivity(PresetId preset, Instant at, ZoneId zone, LocalDate today, List<DesiredSpan> schedule,
                          Instant claimsSince, Claims claims, Instant samplesSince, List<Sample> samples) {
        public PresetActivity {
            schedule = List.copyOf(schedule);
            samples = List.copyOf(samples);
        }
    }

    /**
     * One pass as every replica sees it.
     *
     * @param startedAt when the pass started (the service clock)
     * @param replica   the replica that ran it
     * @param presets   presets it planned (all of them for a periodic pass, the nudged ones for a nudge)
     * @param failures  presets that failed to plan or carry out
     */
    record LastPass(Instant startedAt, Duration duration, String replica, int presets, int creates, int deletes,
                    int cancels, int failures) {
        public LastPass {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(replica, "replica");
        }
    }

    /** Claims served (a prebuild was handed out) and missed (none was ready). */
    record Claims(long served, long missed) {
    }

    /** The pool as a pass saw it (R1 counts). */
    record Sample(Instant at, int desired, int eligible, int starting, int failed) {
        public Sample {
            Objects.requireNonNull(at, "at");
        }
    }

    /** A build of one of the preset's workspaces. */
    record PresetBuild(WorkspaceId workspace, Build build) {
        public PresetBuild {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(build, "build");
        }
    }
}
