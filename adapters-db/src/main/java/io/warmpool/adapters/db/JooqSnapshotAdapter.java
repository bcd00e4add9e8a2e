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
import io.warmpool.adapters.db.jooq.enums.PresetStatus;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.DeleteOrder;
import io.warmpool.domain.plan.FailedPrebuild;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;

/**
 * The snapshot of every preset (A1) in one read-only REPEATABLE READ transaction with a fixed number of
 * queries, whatever the number of presets: presets with their failure state, schedule windows, prebuild
 * workspaces, in-flight build counts (which also give the cluster-wide queued creates) and claim handoffs in
 * progress (R12) — five for {@link Scope#ALL}; a scoped load adds the identity lookup of the scope's presets (on a
 * cache miss) and a separate count of the cluster-wide queued creates — at most seven. When some of the presets read
 * have autoscale (R13), three more fill their {@link DemandHistory}, however many they are ({@link #demand}): at
 * most eight for {@link Scope#ALL}, ten scoped; presets without autoscale get {@link DemandHistory#NONE} and cost
 * nothing.
 *
 * <p>Inactive presets are included only while they still have workspaces to clean up, so old versions do
 * not grow the snapshot forever.
 */
final class JooqSnapshotAdapter implements PresetSnapshotPort {

    private static final String PREBUILDS = "prebuilds";

    private final DSLContext dsl;
    private final PresetIds presetIds;
    private final Map<String, CronWindow> crons = new ConcurrentHashMap<>();
    private final Map<String, ZoneId> zones = new ConcurrentHashMap<>();
    private final Map<String, PrebuildSchedule> unscheduled = new ConcurrentHashMap<>();

    private final Clock clock;

    /** @param clock the {@code now} of the demand read (R13: the lookback and the last hour end there) */
    JooqSnapshotAdapter(DSLContext dsl, PresetIds presetIds, Clock clock) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Snapshot load(Scope scope) {
        return DbErrors.guard("loading the snapshot", () -> dsl.connectionResult(connection -> {
            connection.setAutoCommit(false);
            try {
                // The isolation of this transaction only, set by its first statement (sent together with its
                // BEGIN): unlike Connection.setTransactionIsolation, nothing to reset afterwards, one round trip
                // fewer each way.
                try (Statement set = connection.createStatement()) {
                    set.execute("set transaction isolation level repeatable read, read only");
                }
                // Derive from our configuration (not DSL.using(connection)) so execute listeners and settings apply.
                Snapshot snapshot = read(DSL.using(dsl.configuration().derive(new DefaultConnectionProvider(connection))), scope);
                connection.commit();
                return snapshot;
            } catch (RuntimeException | SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }));
    }

    /**
     * The five queries, each streamed from its JDBC result set straight into per-preset builders: no jOOQ records
     * are materialised, the preset identity is taken from the cache when known (its three names then not even
     * decoded), and immutable parts (zones, schedules without windows) are shared between presets.
     *
     * <p>Columns are read by position ({@code rs.getLong(1)} is the first field of the {@code select} just above),
     * not as {@code record.get(TABLE.COLUMN)}: materialising jOOQ records and mapping them was the cost this read
     * removed — with timestamps read as {@code Timestamp}, a 10k-preset load went from 407 to 210 ms (full
     * settings), 1k from 74 to 41 ms (docs/benchmarks.md, "Database paths", snapshot; the three changes were not
     * measured apart). Adding or moving a selected field means renumbering the reads below it.
     */
    private Snapshot read(DSLContext tx, Scope scope) throws SQLException {
        Set<Long> only = scope.isAll() ? null : Set.copyOf(presetIds.rowIds(tx, scope.only()).values());
        if (only != null && only.isEmpty()) {
            return new Snapshot(List.of(), queuedCreates(tx));
        }

        // 1. presets with their version, template and failure state
        Condition stillRelevant = TEMPLATE_VERSIONS.ACTIVE.isTrue().or(DSL.exists(DSL.selectOne().from(WORKSPACES)
                .where(WORKSPACES.PRESET_ID.eq(PRESETS.ID), WORKSPACES.OWNER.eq(DSL.inline(PREBUILDS)),
                        WORKSPACES.PHASE.in(DSL.inline(WorkspacePhase.starting), DSL.inline(WorkspacePhase.running),
                                DSL.inline(WorkspacePhase.failed), DSL.inline(WorkspacePhase.provisioned),
                                DSL.inline(WorkspacePhase.unhealthy)))));
        Condition presetScope = only == null ? stillRelevant : PRESETS.ID.in(only);
        Map<Long, Building> presets = new HashMap<>();
        try (ResultSet rs = tx.select(PRESETS.ID, PRESETS.INSTANCES, PRESETS.TTL_MS, PRESETS.TIMEZONE,
                        PRESETS.INVALIDATED_AT, TEMPLATE_VERSIONS.ACTIVE, TEMPLATES.DEPRECATED, TEMPLATES.DELETED,
                        PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES, PRESET_FAILURE_STATES.LAST_FAILURE_AT,
                        PRESET_FAILURE_STATES.RETRY_NOT_BEFORE, PRESET_FAILURE_STATES.STATUS,
                        TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME,
                        PRESETS.READINESS_CHECK, PRESETS.READINESS_TIMEOUT_MS, PRESETS.HEALTH_INTERVAL_MS,
                        PRESETS.HEALTH_UNHEALTHY_AFTER, PRESETS.AUTOSCALE_TARGET_HIT_RATE, PRESETS.AUTOSCALE_MIN,
                        PRESETS.AUTOSCALE_MAX, PRESETS.AUTOSCALE_LOOKBACK_MS)
                .from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .leftJoin(PRESET_FAILURE_STATES).on(PRESET_FAILURE_STATES.PRESET_ID.eq(PRESETS.ID))
                .where(presetScope)
                .fetchResultSet()) {
            while (rs.next()) {
                long rowId = rs.getLong(1);
                PresetId id = presetIds.cached(rowId);
                if (id == null) {
                    id = presetIds.remembered(rowId, rs.getString(13), rs.getString(14), rs.getString(15));
                }
                Integer k = RenderedSql.integer(rs, 9);
                String status = rs.getString(12);
                FailureState failure = k == null ? FailureState.initial() : FailureStates.toDomain(k,
                        RenderedSql.instant(rs, 10), RenderedSql.instant(rs, 11),
                        status == null ? null : PresetStatus.lookupLiteral(status));
                long ttl = rs.getLong(3);
                String check = rs.getString(16);
                Readiness readiness = check == null ? null : new Readiness(
                        Readiness.Check.fromWire(check).orElseThrow(), Duration.ofMillis(rs.getLong(17)));
                long interval = rs.getLong(18);
                Liveness health = rs.wasNull() ? null : new Liveness(Duration.ofMillis(interval), rs.getInt(19));
                Building building = new Building(id, new Activity(rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8)),
                        rs.getInt(2), ttl == 0 ? Duration.ZERO : Duration.ofMillis(ttl), rs.getString(4),
                        RenderedSql.instant(rs, 5), failure);
                building.readiness = readiness;
                building.health = health;
                double target = rs.getDouble(20);
                if (!rs.wasNull()) {
                    building.autoscale = new Autoscale(target, rs.getInt(21), rs.getInt(22),
                            Duration.ofMillis(rs.getLong(23)));
                }
                presets.put(rowId, building);
            }
        }

        // 2. schedule windows
        try (ResultSet rs = tx.select(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.CRON,
                        PRESET_SCHEDULE_WINDOWS.INSTANCES)
                .from(PRESET_SCHEDULE_WINDOWS)
                .where(only == null ? DSL.trueCondition() : PRESET_SCHEDULE_WINDOWS.PRESET_ID.in(only))
                .orderBy(PRESET_SCHEDULE_WINDOWS.PRESET_ID, PRESET_SCHEDULE_WINDOWS.POSITION)
                .fetchResultSet()) {
            while (rs.next()) {
                Building preset = presets.get(rs.getLong(1));
                if (preset != null) {
                    preset.windows.add(new ScheduleWindow(crons.computeIfAbsent(rs.getString(2), CronWindow::parse),
                            rs.getInt(3)));
                }
            }
        }

        // 3. running, failed, provisioned (R10) and unhealthy (R11) prebuilds
        try (ResultSet rs = tx.select(WORKSPACES.PRESET_ID, WORKSPACES.ID, WORKSPACES.CREATED_AT, WORKSPACES.FAILED_AT,
                        WORKSPACES.PHASE)
                .from(WORKSPACES)
                // Constants inline, as in acquire and claim: a generic plan can then still prove the
                // predicates of the partial indexes workspaces_prebuilds and builds_in_flight.
                .where(WORKSPACES.OWNER.eq(DSL.inline(PREBUILDS)),
                        WORKSPACES.PHASE.in(DSL.inline(WorkspacePhase.running), DSL.inline(WorkspacePhase.failed),
                                DSL.inline(WorkspacePhase.provisioned), DSL.inline(WorkspacePhase.unhealthy)),
                        only == null ? DSL.trueCondition() : WORKSPACES.PRESET_ID.in(only))
                .fetchResultSet()) {
            Building preset = null;
            long presetRow = 0;
            while (rs.next()) {
                long row = rs.getLong(1);
                if (preset == null || row != presetRow) {
                    preset = presets.get(row);
                    presetRow = row;
                    if (preset == null) {
                        continue; // not in this snapshot's presets (cannot happen in one consistent read)
                    }
                }
                WorkspaceId id = new WorkspaceId(RenderedSql.uuid(rs, 2));
                Instant createdAt = RenderedSql.instant(rs, 3);
                switch (rs.getString(5)) {
                    case "running" -> preset.running.add(new Prebuild(id, createdAt));
                    case "provisioned" -> preset.provisioned++;
                    case "unhealthy" -> preset.unhealthy.add(new Prebuild(id, createdAt));
                    default -> preset.failed.add(new FailedPrebuild(id, createdAt, RenderedSql.instant(rs, 4)));
                }
            }
        }

        // 4. in-flight builds per preset
        int queuedTotal = 0;
        try (ResultSet rs = tx.select(BUILDS.PRESET_ID, BUILDS.TRANSITION.eq(DSL.inline(BuildTransition.create)),
                        BUILDS.STATUS.eq(DSL.inline(BuildStatus.pending)), DSL.count())
                .from(BUILDS)
                .where(BUILDS.STATUS.in(DSL.inline(BuildStatus.pending), DSL.inline(BuildStatus.running)),
                        only == null ? DSL.trueCondition() : BUILDS.PRESET_ID.in(only))
                .groupBy(BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS)
                .fetchResultSet()) {
            while (rs.next()) {
                int n = rs.getInt(4);
                boolean create = rs.getBoolean(2);
                if (create && rs.getBoolean(3)) {
                    queuedTotal += n;
                }
                Building preset = presets.get(rs.getLong(1));
                if (preset == null) {
                    continue;
                }
                if (create) {
                    preset.starting += n;
                    if (rs.getBoolean(3)) {
                        preset.queued += n;
                    }
                } else {
                    preset.deleting += n;
                }
            }
        }

        // 5. prebuilds reserved by a claim whose handoff is in progress (R12), over the index workspaces_claiming:
        // out of the pool, shown by status
        try (ResultSet rs = tx.select(WORKSPACES.PRESET_ID, DSL.count())
                .from(WORKSPACES)
                .where(WORKSPACES.PHASE.eq(DSL.inline(WorkspacePhase.claiming)),
                        only == null ? DSL.trueCondition() : WORKSPACES.PRESET_ID.in(only))
                .groupBy(WORKSPACES.PRESET_ID)
                .fetchResultSet()) {
            while (rs.next()) {
                Building preset = presets.get(rs.getLong(1));
                if (preset != null) {
                    preset.claiming += rs.getInt(2);
                }
            }
        }

        // 5. queued creates of all presets (already counted above when the scope is all)
        int queuedCreates = only == null ? queuedTotal : queuedCreates(tx);

        // 6–8. measured demand of the presets with autoscale (R13), none without
        demand(tx, presets.values());

        List<PresetSnapshot> out = new ArrayList<>(presets.size());
        for (Building preset : presets.values()) {
            out.add(preset.build(this));
        }
        // Sorted here, not by ORDER BY: the database's collation (en_US, say) may order names differently from
        // PresetId's code-point order, which the planner's tie-breaks rely on.
        out.sort(Comparator.comparing(PresetSnapshot::id));
        return new Snapshot(out, queuedCreates);
    }

    /** The schedule of a preset: shared between presets of the same zone when they have no windows. */
    private PrebuildSchedule schedule(String timezone, List<ScheduleWindow> windows) {
        if (windows.isEmpty()) {
            return unscheduled.computeIfAbsent(timezone, tz -> new PrebuildSchedule(zone(tz), List.of()));
        }
        return new PrebuildSchedule(zone(timezone), windows);
    }

    private ZoneId zone(String timezone) {
        return zones.computeIfAbsent(timezone, ZoneId::of);
    }

    /** One preset while its rows are read. */
    private static final class Building {
        final PresetId id;
        final Activity activity;
        final int instances;
        final Duration ttl;
        final String timezone;
        final Instant invalidatedAt;
        final FailureState failure;
        final List<ScheduleWindow> windows = new ArrayList<>(0);
        final List<Prebuild> running = new ArrayList<>();
        final List<FailedPrebuild> failed = new ArrayList<>(0);
        final List<Prebuild> unhealthy = new ArrayList<>(0);
        Readiness readiness;
        Liveness health;
        Autoscale autoscale;
        DemandHistory demand = DemandHistory.NONE;
        int provisioned;
        int claiming;
        int starting;
        int queued;
        int deleting;

        Building(PresetId id, Activity activity, int instances, Duration ttl, String timezone, Instant invalidatedAt,
                 FailureState failure) {
            this.id = id;
            this.activity = activity;
            this.instances = instances;
            this.ttl = ttl;
            this.timezone = timezone;
            this.invalidatedAt = invalidatedAt;
            this.failure = failure;
        }

        PresetSnapshot build(JooqSnapshotAdapter adapter) {
            // Oldest first within each preset (DeleteOrder), so a snapshot (and what is shown of it) does not depend
            // on row order.
            running.sort(DeleteOrder.PREBUILDS);
            failed.sort(DeleteOrder.FAILED);
            unhealthy.sort(DeleteOrder.PREBUILDS);
            // R10: provisioned prebuilds that are not ready yet count as starting
            int allStarting = starting + provisioned;
            return new PresetSnapshot(id, activity,
                    new PrebuildPolicy(instances, ttl, adapter.schedule(timezone, windows), readiness, health, autoscale),
                    invalidatedAt, failure, running, failed,
                    allStarting == 0 && queued == 0 && deleting == 0 && claiming == 0 ? InFlight.NONE
                            : new InFlight(allStarting, queued, deleting, provisioned, claiming),
                    unhealthy, demand);
        }
    }

    // ------------------------------------------------------------------ demand (R13)

    /**
     * Whole UTC hours of claim arrivals of each preset name that may intersect its lookback: {@code (from − 1h, now)}
     * with {@code from = now − lookback}. Parameters: template, preset and {@code from} arrays, then {@code now}. The
     * hour crosses as epoch seconds, not as a timestamp to decode: at 10,000 presets with a week of hours each (1.7M
     * rows) the whole load took 5.1 s instead of 5.8 s (docs/benchmarks.md, "Snapshot with autoscale").
     */
    static final String DEMAND_HOURS_SQL = """
            select k.n, extract(epoch from h.hour)::int8, h.claims
            from unnest(?::text[], ?::text[], ?::text[]) with ordinality as k(template, preset, since, n)
            join demand_hours h on h.template = k.template and h.preset = k.preset
                and h.hour > k.since::timestamptz - interval '1 hour' and h.hour < ?::timestamptz""";

    /**
     * Per preset name: when a preset of that name was first created in its template (history starts there), and
     * the arrivals of the minutes that start in {@code (now − 1h, now]}. Parameters: template and preset arrays, then
     * {@code now − 1h} and {@code now}.
     */
    static final String DEMAND_SINCE_SQL = """
            select k.n,
                   (select min(p.created_at) from templates t
                    join template_versions v on v.template_id = t.id
                    join presets p on p.version_id = v.id
                    where t.name = k.template and p.name = k.preset),
                   (select coalesce(sum(m.claims), 0) from demand_minutes m
                    where m.template = k.template and m.preset = k.preset
                      and m.minute > ?::timestamptz and m.minute <= ?::timestamptz)
            from unnest(?::text[], ?::text[]) with ordinality as k(template, preset, n)""";

    /**
     * Per preset name: the enqueue-to-ready times of its last {@value DemandHistory#MAX_BUILD_TIMES} creates that
     * became ready, of any version, newest first. A lateral read of each preset row's latest ready workspaces over
     * the index {@code workspaces_ready_by_preset} (at most 50 each), merged per name: bounded by the versions, not
     * by the preset's whole workspace history, as a window over all its workspaces would be. Parameters: template
     * and preset arrays.
     */
    static final String DEMAND_BUILDS_SQL = """
            select k.n, b.created_at, b.ready_at
            from unnest(?::text[], ?::text[]) with ordinality as k(template, preset, n)
            cross join lateral (
                select r.created_at, r.ready_at, r.id
                from templates t
                join template_versions v on v.template_id = t.id
                join presets p on p.version_id = v.id
                cross join lateral (
                    select w.created_at, w.ready_at, w.id from workspaces w
                    where w.preset_id = p.id and w.ready_at is not null
                    order by w.created_at desc
                    limit 50) r
                where t.name = k.template and p.name = k.preset
                order by r.created_at desc, r.id desc
                limit 50) b
            order by k.n, b.created_at desc, b.id desc""";

    /**
     * Fills {@link Building#demand} of the presets with autoscale, in three queries however many they are (none
     * when there are none). Keyed by template and preset name: every version of a preset shares its history.
     */
    private void demand(DSLContext tx, java.util.Collection<Building> presets) throws SQLException {
        // One key per preset name; its lookback the longest of its presets read (each cuts its own below).
        Map<PresetRef, Duration> lookbacks = new java.util.LinkedHashMap<>();
        for (Building b : presets) {
            if (b.autoscale != null) {
                lookbacks.merge(b.id.ref(), b.autoscale.lookback(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
            }
        }
        if (lookbacks.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<PresetRef> keys = List.copyOf(lookbacks.keySet());
        int n = keys.size();
        String[] templates = new String[n];
        String[] names = new String[n];
        String[] from = new String[n];
        for (int i = 0; i < n; i++) {
            templates[i] = keys.get(i).template();
            names[i] = keys.get(i).preset();
            from[i] = now.minus(lookbacks.get(keys.get(i))).toString();
        }
        List<java.util.NavigableMap<Instant, Integer>> hours = new ArrayList<>(n);
        List<List<Duration>> builds = new ArrayList<>(n);
        Instant[] since = new Instant[n];
        int[] lastHour = new int[n];
        for (int i = 0; i < n; i++) {
            hours.add(new java.util.TreeMap<>());
            builds.add(new ArrayList<>());
        }
        // 6. hourly counts within each name's lookback
        try (ResultSet rs = tx.resultQuery(DEMAND_HOURS_SQL, templates, names, from, now.toString()).fetchResultSet()) {
            while (rs.next()) {
                hours.get(rs.getInt(1) - 1).put(Instant.ofEpochSecond(rs.getLong(2)), rs.getInt(3));
            }
        }
        // 7. history start and the last hour's arrivals
        try (ResultSet rs = tx.resultQuery(DEMAND_SINCE_SQL, now.minus(Duration.ofHours(1)).toString(), now.toString(),
                templates, names).fetchResultSet()) {
            while (rs.next()) {
                int i = rs.getInt(1) - 1;
                since[i] = RenderedSql.instant(rs, 2);
                lastHour[i] = rs.getInt(3);
            }
        }
        // 8. build times, newest first
        try (ResultSet rs = tx.resultQuery(DEMAND_BUILDS_SQL, templates, names).fetchResultSet()) {
            while (rs.next()) {
                builds.get(rs.getInt(1) - 1).add(Duration.between(RenderedSql.instant(rs, 2), RenderedSql.instant(rs, 3)));
            }
        }
        Map<PresetRef, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(keys.get(i), i);
        }
        for (Building b : presets) {
            if (b.autoscale == null) {
                continue;
            }
            int i = index.get(b.id.ref());
            // Only the hours that may intersect this preset's own lookback (R13 cuts history to [now − lookback, now)).
            Instant first = now.minus(b.autoscale.lookback()).minus(Duration.ofHours(1));
            b.demand = new DemandHistory(since[i], hours.get(i).tailMap(first, false), lastHour[i], builds.get(i));
        }
    }

    private static int queuedCreates(DSLContext tx) {
        return tx.fetchCount(BUILDS, BUILDS.STATUS.eq(DSL.inline(BuildStatus.pending)),
                BUILDS.TRANSITION.eq(DSL.inline(BuildTransition.create)));
    }

}
