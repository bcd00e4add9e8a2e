package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.EVENTS;
import static io.warmpool.adapters.db.jooq.Tables.POOL_SAMPLES;
import static io.warmpool.adapters.db.jooq.Tables.RECONCILE_PASSES;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * {@link PresetHistoryPort} on the {@code reconcile_passes} and {@code pool_samples} tables, the event log and
 * the builds. Recent builds are those of the preset's latest workspaces (found by the {@code workspaces_by_preset}
 * index), so the read does not scan the builds of other presets.
 */
final class JooqPresetHistoryAdapter implements PresetHistoryPort {

    private final DSLContext dsl;
    private final PresetIds presetIds;

    JooqPresetHistoryAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
    }

    @Override
    public void recordPass(PassRecord pass, List<PoolSample> samples) {
        Objects.requireNonNull(pass, "pass");
        Objects.requireNonNull(samples, "samples");
        DbErrors.guardRun("recording a pass", () -> dsl.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.insertInto(RECONCILE_PASSES)
                    .set(RECONCILE_PASSES.REPLICA, pass.replica())
                    .set(RECONCILE_PASSES.STARTED_AT, pass.startedAt())
                    .set(RECONCILE_PASSES.DURATION_MS, pass.duration().toMillis())
                    .set(RECONCILE_PASSES.PRESETS, pass.presets())
                    .set(RECONCILE_PASSES.CREATES, pass.creates())
                    .set(RECONCILE_PASSES.DELETES, pass.deletes())
                    .set(RECONCILE_PASSES.CANCELS, pass.cancels())
                    .set(RECONCILE_PASSES.FAILURES, pass.failures())
                    .onConflict(RECONCILE_PASSES.REPLICA).doUpdate()
                    .setAllToExcluded() // one row per replica: its latest pass
                    .execute();
            if (samples.isEmpty()) {
                return;
            }
            Map<PresetId, Long> rows = presetIds.rowIds(tx, samples.stream().map(PoolSample::preset).toList());
            var insert = tx.insertInto(POOL_SAMPLES, POOL_SAMPLES.PRESET_ID, POOL_SAMPLES.MINUTE, POOL_SAMPLES.AT,
                    POOL_SAMPLES.DESIRED, POOL_SAMPLES.ELIGIBLE, POOL_SAMPLES.STARTING, POOL_SAMPLES.FAILED);
            int added = 0;
            for (PoolSample s : samples) {
                Long row = rows.get(s.preset());
                if (row != null) {
                    insert = insert.values(row, s.at().truncatedTo(ChronoUnit.MINUTES), s.at(), s.desired(),
                            s.eligible(), s.starting(), s.failed());
                    added++;
                }
            }
            if (added > 0) {
                insert.onConflictDoNothing().execute();
            }
        }));
    }

    @Override
    public void prune(Instant before) {
        Objects.requireNonNull(before, "before");
        DbErrors.guardRun("pruning the pool history", () -> dsl.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.deleteFrom(POOL_SAMPLES).where(POOL_SAMPLES.MINUTE.lt(before.truncatedTo(ChronoUnit.MINUTES))).execute();
            tx.deleteFrom(RECONCILE_PASSES).where(RECONCILE_PASSES.STARTED_AT.lt(before)).execute();
        }));
    }

    @Override
    public Optional<PassRecord> lastPass() {
        return DbErrors.guard("reading the last pass", () -> dsl.selectFrom(RECONCILE_PASSES)
                .orderBy(RECONCILE_PASSES.STARTED_AT.desc(), RECONCILE_PASSES.REPLICA)
                .limit(1)
                .fetchOptional(r -> new PassRecord(r.getStartedAt(), Duration.ofMillis(r.getDurationMs()), r.getReplica(),
                        r.getPresets(), r.getCreates(), r.getDeletes(), r.getCancels(), r.getFailures())));
    }

    @Override
    public List<PoolSample> samples(PresetId preset, Instant since) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(since, "since");
        return DbErrors.guard("reading pool samples of " + preset, () -> {
            Optional<Long> row = Optional.ofNullable(presetIds.rowIds(dsl, List.of(preset)).get(preset));
            if (row.isEmpty()) {
                return List.of();
            }
            return dsl.selectFrom(POOL_SAMPLES)
                    .where(POOL_SAMPLES.PRESET_ID.eq(row.get()).and(POOL_SAMPLES.AT.ge(since)))
                    .orderBy(POOL_SAMPLES.MINUTE)
                    .fetch(r -> new PoolSample(preset, r.getAt(), r.getDesired(), r.getEligible(), r.getStarting(), r.getFailed()));
        });
    }

    @Override
    public ClaimCounts claims(PresetId preset, Instant since) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(since, "since");
        String served = EventType.CLAIM_SUCCEEDED.wire();
        String missed = EventType.CLAIM_MISSED.wire();
        return DbErrors.guard("counting claims of " + preset, () -> {
            Long row = presetIds.rowIds(dsl, List.of(preset)).get(preset);
            if (row == null) {
                return new ClaimCounts(0, 0);
            }
            var counts = dsl.select(DSL.count().filterWhere(EVENTS.TYPE.eq(served)), DSL.count().filterWhere(EVENTS.TYPE.eq(missed)))
                    .from(EVENTS)
                    .where(EVENTS.PRESET_ID.eq(row).and(EVENTS.AT.ge(since)).and(EVENTS.TYPE.in(served, missed)))
                    .fetchOne();
            return new ClaimCounts(counts.value1(), counts.value2());
        });
    }

    @Override
    public List<PresetBuild> recentBuilds(PresetId preset, long beforeBuild, int limit) {
        Objects.requireNonNull(preset, "preset");
        if (limit < 1 || limit > 1001) {
            throw new IllegalArgumentException("limit must be between 1 and 1001, got " + limit);
        }
        return DbErrors.guard("reading the builds of " + preset, () -> {
            Long row = presetIds.rowIds(dsl, List.of(preset)).get(preset);
            if (row == null) {
                return List.of();
            }
            // Keyset on the build id: every build of the preset's workspaces once, newest first, page after page.
            List<PresetBuild> out = new ArrayList<>(limit);
            dsl.select(BUILDS.WORKSPACE_ID, BUILDS.ID, BUILDS.TRANSITION, BUILDS.STATUS, BUILDS.REASON, BUILDS.ATTEMPT,
                            BUILDS.CREATED_AT, BUILDS.STARTED_AT, BUILDS.FINISHED_AT, BUILDS.ERROR_CODE, BUILDS.ERROR, BUILDS.LOG,
                            JooqWorkspaceAdapter.awaitingCallback())
                    .from(BUILDS)
                    .join(WORKSPACES).on(BUILDS.WORKSPACE_ID.eq(WORKSPACES.ID))
                    .where(WORKSPACES.PRESET_ID.eq(row), BUILDS.ID.lt(beforeBuild))
                    .orderBy(BUILDS.ID.desc())
                    .limit(limit)
                    .forEach(r -> out.add(new PresetBuild(new WorkspaceId(r.value1()), new BuildView(new JobId(r.value2()),
                            JooqBuildQueueAdapter.transition(r.value3()), r.value4().getLiteral(), r.value5(), r.value6(),
                            r.value7(), r.value8(), r.value9(), r.value10(), r.value11(), r.value12(), r.value13()))));
            return out;
        });
    }
}
