package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_SCHEDULE_WINDOWS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.FailedPrebuild;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * The snapshot of every preset (A1) in one read-only REPEATABLE READ transaction with a fixed number of
 * queries, whatever the number of presets: presets with their failure state, schedule windows, prebuild
 * workspaces, and in-flight build counts (which also give the cluster-wide queued creates) — four for
 * {@link Scope#ALL}; a scoped load adds the identity lookup of the scope's presets (on a cache miss) and a
 * separate count of the cluster-wide queued creates — at most six.
 *
 * <p>Inactive presets are included only while they still have workspaces to clean up, so old versions do
 * not grow the snapshot forever.
 */
public final class JooqSnapshotAdapter implements PresetSnapshotPort {

    private static final String PREBUILDS = "prebuilds";

    private final DSLContext dsl;
    private final PresetIds presetIds;
    private final Map<String, CronWindow> crons = new ConcurrentHashMap<>();

    JooqSnapshotAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
    }

    @Override
    public Snapshot load(Scope scope) {
        return DbErrors.guard("loading the snapshot", () -> dsl.connectionResult(connection -> {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(java.sql.Connection.TRANSACTION_REPEATABLE_READ);
            try {
                // Derive from our configuration (not DSL.using(connection)) so execute listeners and settings apply.
                Snapshot snapshot = read(DSL.using(dsl.configuration().derive(new DefaultConnectionProvider(connection))), scope);
                connection.commit();
                return snapshot;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setReadOnly(false);
                connection.setTransactionIsolation(java.sql.Connection.TRANSACTION_READ_COMMITTED);
                connection.setAutoCommit(true);
            }
        }));
    }

    private Snapshot read(DSLContext tx, Scope scope) {
        Set<Long> only = scope.isAll() ? null : Set.copyOf(presetIds.rowIds(tx, scope.only()).values());
        if (only != null && only.isEmpty()) {
            return new Snapshot(List.of(), queuedCreates(tx));
        }

        // 1. presets with their version, template and failure state
        Condition stillRelevant = TEMPLATE_VERSIONS.ACTIVE.isTrue().or(DSL.exists(DSL.selectOne().from(WORKSPACES)
                .where(WORKSPACES.PRESET_ID.eq(PRESETS.ID), WORKSPACES.OWNER.eq(DSL.inline(PREBUILDS)),
                        WORKSPACES.PHASE.in(DSL.inline(WorkspacePhase.starting), DSL.inline(WorkspacePhase.running),
                                DSL.inline(WorkspacePhase.failed)))));
        Condition presetScope = only == null ? stillRelevant : PRESETS.ID.in(only);
        var presetRows = tx.select(PRESETS.ID, TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME,
                        TEMPLATE_VERSIONS.ACTIVE, TEMPLATES.DEPRECATED, TEMPLATES.DELETED,
                        PRESETS.INSTANCES, PRESETS.TTL_MS, PRESETS.TIMEZONE, PRESETS.INVALIDATED_AT,
                        PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES, PRESET_FAILURE_STATES.LAST_FAILURE_AT,
                        PRESET_FAILURE_STATES.RETRY_NOT_BEFORE, PRESET_FAILURE_STATES.STATUS)
                .from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .leftJoin(PRESET_FAILURE_STATES).on(PRESET_FAILURE_STATES.PRESET_ID.eq(PRESETS.ID))
                .where(presetScope)
                .fetch();

        // 2. schedule windows
        Map<Long, List<ScheduleWindow>> windows = new HashMap<>();
        tx.select(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.CRON, PRESET_SCHEDULE_WINDOWS.INSTANCES)
                .from(PRESET_SCHEDULE_WINDOWS)
                .where(only == null ? DSL.trueCondition() : PRESET_SCHEDULE_WINDOWS.PRESET_ID.in(only))
                .orderBy(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.POSITION)
                .forEach(r -> windows.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new ScheduleWindow(crons.computeIfAbsent(r.value2(), CronWindow::parse), r.value3())));

        // 3. running and failed prebuilds
        Map<Long, List<Prebuild>> running = new HashMap<>();
        Map<Long, List<FailedPrebuild>> failed = new HashMap<>();
        tx.select(WORKSPACES.PRESET_ID, WORKSPACES.ID, WORKSPACES.PHASE, WORKSPACES.CREATED_AT, WORKSPACES.FAILED_AT)
                .from(WORKSPACES)
                // Constants inline, as in acquire and claim: a generic plan can then still prove the
                // predicates of the partial indexes workspaces_prebuilds and builds_in_flight.
                .where(WORKSPACES.OWNER.eq(DSL.inline(PREBUILDS)),
                        WORKSPACES.PHASE.in(DSL.inline(WorkspacePhase.running), DSL.inline(WorkspacePhase.failed)),
                        only == null ? DSL.trueCondition() : WORKSPACES.PRESET_ID.in(only))
                .forEach(r -> {
                    WorkspaceId id = new WorkspaceId(r.value2());
                    if (r.value3() == WorkspacePhase.running) {
                        running.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new Prebuild(id, r.value4()));
                    } else {
                        failed.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new FailedPrebuild(id, r.value4(), r.value5()));
                    }
                });

        // 4. in-flight builds per preset
        Map<Long, int[]> inFlight = new HashMap<>(); // starting, queued, deleting
        int[] queuedTotal = {0};
        Field<Integer> count = DSL.count();
        tx.select(BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS, count)
                .from(BUILDS)
                .where(BUILDS.STATUS.in(DSL.inline(BuildStatus.pending), DSL.inline(BuildStatus.running)),
                        only == null ? DSL.trueCondition() : BUILDS.PRESET_ID.in(only))
                .groupBy(BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS)
                .forEach(r -> {
                    int[] c = inFlight.computeIfAbsent(r.value1(), k -> new int[3]);
                    int n = r.value4();
                    if (r.value2() == BuildTransition.create) {
                        c[0] += n;
                        if (r.value3() == BuildStatus.pending) {
                            c[1] += n;
                            queuedTotal[0] += n;
                        }
                    } else {
                        c[2] += n;
                    }
                });

        // 5. queued creates of all presets (already counted above when the scope is all)
        int queuedCreates = only == null ? queuedTotal[0] : queuedCreates(tx);

        // Oldest first within each preset, so a snapshot (and what is shown of it) does not depend on row order.
        running.values().forEach(list -> list.sort(Prebuild.OLDEST_FIRST));
        failed.values().forEach(list -> list.sort(FailedPrebuild.OLDEST_FIRST));
        List<PresetSnapshot> presets = new ArrayList<>(presetRows.size());
        for (var r : presetRows) {
            long rowId = r.get(PRESETS.ID);
            PresetId id = new PresetId(r.get(TEMPLATES.NAME), r.get(TEMPLATE_VERSIONS.NAME), r.get(PRESETS.NAME));
            presetIds.remember(rowId, id);
            PrebuildSchedule schedule = new PrebuildSchedule(ZoneId.of(r.get(PRESETS.TIMEZONE)),
                    windows.getOrDefault(rowId, List.of()));
            PrebuildPolicy policy = new PrebuildPolicy(r.get(PRESETS.INSTANCES), Duration.ofMillis(r.get(PRESETS.TTL_MS)), schedule);
            int[] c = inFlight.getOrDefault(rowId, new int[3]);
            presets.add(new PresetSnapshot(id,
                    new Activity(r.get(TEMPLATE_VERSIONS.ACTIVE), r.get(TEMPLATES.DEPRECATED), r.get(TEMPLATES.DELETED)),
                    policy, r.get(PRESETS.INVALIDATED_AT),
                    FailureStates.toDomain(r.get(PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES),
                            r.get(PRESET_FAILURE_STATES.LAST_FAILURE_AT), r.get(PRESET_FAILURE_STATES.RETRY_NOT_BEFORE),
                            r.get(PRESET_FAILURE_STATES.STATUS)),
                    running.getOrDefault(rowId, List.of()), failed.getOrDefault(rowId, List.of()),
                    new InFlight(c[0], c[1], c[2])));
        }
        // Sorted here, not by ORDER BY: the database's collation (en_US, say) may order names differently from
        // PresetId's code-point order, which the planner's tie-breaks rely on.
        presets.sort(Comparator.comparing(PresetSnapshot::id));
        return new Snapshot(presets, queuedCreates);
    }

    private static int queuedCreates(DSLContext tx) {
        return tx.fetchCount(BUILDS, BUILDS.STATUS.eq(DSL.inline(BuildStatus.pending)),
                BUILDS.TRANSITION.eq(DSL.inline(BuildTransition.create)));
    }

}
