package io.warmpool.application.service;

import io.warmpool.application.port.in.Page;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.RecordPassUseCase;
import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetHistoryPort.PassRecord;
import io.warmpool.application.port.out.PresetHistoryPort.PoolSample;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.plan.PresetState;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Records passes and pool samples, and reads a preset's recent past for operators. Sampling is thinned here
 * (at most one sample per preset and minute from this replica, so most passes write only their pass record) and
 * again by the store (at most one per preset and minute from all replicas).
 */
public final class PresetHistoryService implements RecordPassUseCase, PresetHistoryUseCase {

    /** How long samples and pass records are kept. */
    public static final Duration RETENTION = Duration.ofHours(24);
    /** The window of the claim counts. */
    public static final Duration CLAIMS_WINDOW = Duration.ofHours(1);

    private final Clock clock;
    private final PresetHistoryPort history;
    private final PresetStorePort presets;
    private final PresetSnapshotPort snapshots;
    private final DemandHistoryPort demand;
    private final Map<PresetId, Instant> sampledMinute = new HashMap<>();
    private Instant prunedMinute;

    public PresetHistoryService(Clock clock, PresetHistoryPort history, PresetStorePort presets,
                                PresetSnapshotPort snapshots, DemandHistoryPort demand) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.history = Objects.requireNonNull(history, "history");
        this.presets = Objects.requireNonNull(presets, "presets");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.demand = Objects.requireNonNull(demand, "demand");
    }

    @Override
    public synchronized void record(PassReport report, String replica) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(replica, "replica");
        if (!report.ran()) {
            return;
        }
        Instant minute = report.startedAt().truncatedTo(ChronoUnit.MINUTES);
        List<PoolSample> samples = new ArrayList<>();
        for (PresetPlan plan : report.plans()) {
            if (!minute.equals(sampledMinute.get(plan.id()))) {
                PresetState s = plan.state();
                samples.add(new PoolSample(plan.id(), report.startedAt(), s.desired(), s.eligible().size(),
                        s.starting(), s.failed().size()));
            }
        }
        history.recordPass(new PassRecord(report.startedAt(), report.duration(), replica, report.plans().size(),
                report.creates(), report.deletes(), report.cancels(), report.failures().size()), samples);
        samples.forEach(s -> sampledMinute.put(s.preset(), minute));
        if (!minute.equals(prunedMinute)) {
            history.prune(minute.minus(RETENTION));
            // R13 demand: minute counts past two hours, hourly ones past the longest lookback. Here, with the other
            // history: once a minute, by the replica whose pass ran (it held the lock).
            demand.prune(report.startedAt());
            prunedMinute = minute;
            // Forget presets not sampled for a while (removed versions), so the map stays bounded.
            sampledMinute.values().removeIf(m -> m.isBefore(minute.minus(Duration.ofMinutes(10))));
        }
    }

    @Override
    public Optional<LastPass> lastPass() {
        return history.lastPass().map(ReadModels::lastPass);
    }

    @Override
    public PresetActivity activity(PresetRef ref, Duration window) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(MAX_HISTORY) > 0) {
            throw new IllegalArgumentException("history must be between 1 minute and " + MAX_HISTORY.toHours()
                    + " hours, got " + window);
        }
        PresetId id = resolve(ref);
        PresetSnapshot snapshot = snapshots.load(PresetSnapshotPort.Scope.of(Set.of(id))).presets().stream()
                .filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("preset " + ref + " does not exist"));
        Instant now = Clocks.now(clock);
        PrebuildSchedule schedule = snapshot.policy().schedule();
        LocalDate today = LocalDate.ofInstant(now, schedule.zone());
        Instant claimsSince = now.minus(CLAIMS_WINDOW);
        Instant samplesSince = now.minus(window);
        return new PresetActivity(id, now, schedule.zone(), today, snapshot.policy().desiredOn(today),
                claimsSince, ReadModels.claims(history.claims(id, claimsSince)), samplesSince,
                history.samples(id, samplesSince).stream().map(ReadModels::sample).toList());
    }

    @Override
    public Page<PresetBuild> recentBuilds(PresetRef ref, String cursor, int limit) {
        Objects.requireNonNull(ref, "ref");
        if (limit < 1 || limit > MAX_BUILDS) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_BUILDS + ", got " + limit);
        }
        long before = cursor == null ? Long.MAX_VALUE : Cursors.build(cursor);
        List<PresetBuild> rows = history.recentBuilds(resolve(ref), before, limit + 1).stream()
                .map(ReadModels::presetBuild).toList();
        List<PresetBuild> items = rows.stream().limit(limit).toList();
        return new Page<>(items, rows.size() <= limit ? null : Cursors.build(items.get(limit - 1).build().id()));
    }

    private PresetId resolve(PresetRef ref) {
        return presets.resolve(ref).orElseThrow(() -> new NotFoundException("preset " + ref + " does not exist"));
    }
}
