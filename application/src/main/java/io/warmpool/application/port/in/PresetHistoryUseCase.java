package io.warmpool.application.port.in;

import io.warmpool.application.port.out.PresetHistoryPort.ClaimCounts;
import io.warmpool.application.port.out.PresetHistoryPort.PassRecord;
import io.warmpool.application.port.out.PresetHistoryPort.PoolSample;
import io.warmpool.application.port.out.PresetHistoryPort.PresetBuild;
import io.warmpool.domain.PrebuildPolicy.DesiredSpan;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/** Read-only views of the recent past, for operators: the last pass, and a preset's activity and builds. */
public interface PresetHistoryUseCase {

    /** The most pool history {@link #activity} looks back. */
    Duration MAX_HISTORY = Duration.ofHours(24);
    /** The most builds {@link #recentBuilds} returns. */
    int MAX_BUILDS = 100;

    /** The latest pass any replica ran (recorded within the last day). */
    Optional<PassRecord> lastPass();

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
    List<PresetBuild> recentBuilds(PresetRef ref, int limit);

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
                          Instant claimsSince, ClaimCounts claims, Instant samplesSince, List<PoolSample> samples) {
        public PresetActivity {
            schedule = List.copyOf(schedule);
            samples = List.copyOf(samples);
        }
    }
}
