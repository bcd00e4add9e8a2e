package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.BUILDS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.adapters.db.jooq.Tables.WORKSPACES;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.PresetSnapshotPort.Snapshot;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.autoscale.DemandHistory;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JooqSnapshotAdapter} on real PostgreSQL: what only the database has. What the snapshot contains is
 * {@code PresetSnapshotPortContract} (run here by {@link PostgresSnapshotContractTest}, and on the fake in
 * application); these stay database-only: that it is one consistent read-only REPEATABLE READ transaction (asked of
 * PostgreSQL itself, with a write committed by another connection while it reads), that its number of queries does
 * not grow with the number of presets, whole or scoped, and a preset whose failure-state row is missing. Workspaces
 * and builds are written directly with jOOQ, as the build queue would leave them, to seed 1,000 presets fast.
 */
class SnapshotDatabaseTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final PresetId SMALL = new PresetId("python-dev", "v3", "small");
    private static final PresetId LARGE = new PresetId("python-dev", "v3", "large");
    private static final PresetId GO = new PresetId("go-dev", "v1", "tiny");

    private JooqPresetStoreAdapter store;
    /** Called after each statement of the adapter under test, with its execute context. */
    private Consumer<ExecuteContext> afterStatement = ctx -> { };
    private final List<String> statements = new ArrayList<>();
    private JooqSnapshotAdapter snapshots;

    @BeforeEach
    void setUp() {
        PresetIds presetIds = new PresetIds();
        store = new JooqPresetStoreAdapter(db.dsl(), presetIds, Clock.fixed(T0, ZoneOffset.UTC));
        snapshots = new JooqSnapshotAdapter(counting(db.dsl()), new PresetIds(), Clock.fixed(T0, ZoneOffset.UTC));
    }

    /** The pool's jOOQ context with a listener counting every statement (the pattern of the query-count test). */
    private DSLContext counting(DSLContext dsl) {
        ExecuteListener listener = new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                statements.add(ctx.sql());
            }

            @Override
            public void executeEnd(ExecuteContext ctx) {
                afterStatement.accept(ctx);
            }
        };
        return DSL.using(dsl.configuration().derive(new DefaultExecuteListenerProvider(listener)));
    }

    private Snapshot load(Scope scope) {
        statements.clear();
        return snapshots.load(scope);
    }

    // ---- seeding -------------------------------------------------------------------------------------------

    private static final PrebuildSchedule BERLIN = new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(
            new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6),
            new ScheduleWindow(CronWindow.parse("* 0-5 * * *"), 0)));

    private void applyPythonV3AndGo() {
        store.apply(new PresetsDocument(List.of(
                new TemplateDefinition("python-dev", "v3", false, false, List.of(
                        new PresetDefinition("small", Map.of("cpu", "2"), new PrebuildPolicy(3, Duration.ofHours(24), BERLIN)),
                        new PresetDefinition("large", Map.of("cpu", "8"), PrebuildPolicy.of(1)))),
                new TemplateDefinition("go-dev", "v1", true, false, List.of(
                        new PresetDefinition("tiny", Map.of(), PrebuildPolicy.of(2)))))), T0);
    }

    private static long rowId(PresetId id) {
        return db.dsl().select(PRESETS.ID).from(PRESETS)
                .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .where(TEMPLATES.NAME.eq(id.template()), TEMPLATE_VERSIONS.NAME.eq(id.version()), PRESETS.NAME.eq(id.preset()))
                .fetchSingle(PRESETS.ID);
    }

    private static UUID uuid(long high, long low) {
        return new UUID(high, low);
    }

    private static void workspace(UUID id, long presetRow, String owner, WorkspacePhase phase, Instant createdAt, Instant failedAt) {
        db.dsl().insertInto(WORKSPACES)
                .set(WORKSPACES.ID, id)
                .set(WORKSPACES.PRESET_ID, presetRow)
                .set(WORKSPACES.OWNER, owner)
                .set(WORKSPACES.NAME, "ws-" + id.getLeastSignificantBits())
                .set(WORKSPACES.PHASE, phase)
                .set(WORKSPACES.CREATED_AT, createdAt)
                .set(WORKSPACES.READY_AT, phase == WorkspacePhase.running ? createdAt : null)
                .set(WORKSPACES.FAILED_AT, failedAt)
                .execute();
    }

    private static void build(UUID workspace, long presetRow, BuildTransition transition, BuildStatus status) {
        boolean running = status == BuildStatus.running;
        db.dsl().insertInto(BUILDS)
                .set(BUILDS.WORKSPACE_ID, workspace)
                .set(BUILDS.PRESET_ID, presetRow)
                .set(BUILDS.TRANSITION, transition)
                .set(BUILDS.STATUS, status)
                .set(BUILDS.NOT_BEFORE, T0)
                .set(BUILDS.CREATED_AT, T0)
                .set(BUILDS.WORKER, running ? "w1" : null)
                .set(BUILDS.HEARTBEAT_AT, running ? T0 : null)
                .execute();
    }

    // ---- contents ------------------------------------------------------------------------------------------

    @Test
    void presetWithoutFailureStateRow_readsAsInitial() {
        applyPythonV3AndGo();
        db.dsl().deleteFrom(PRESET_FAILURE_STATES).execute();

        assertThat(load(Scope.ALL).presets()).allSatisfy(p -> assertThat(p.failure()).isEqualTo(FailureState.initial()));
    }

    // ---- one consistent transaction ------------------------------------------------------------------------

    /** What one statement of the snapshot ran in, asked of the database itself over the same connection. */
    private record TxFacts(int backendPid, String transactionStart, String isolation, String readOnly) {
    }

    private static TxFacts facts(Connection c) {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select pg_backend_pid(), transaction_timestamp()::text, "
                     + "current_setting('transaction_isolation'), current_setting('transaction_read_only')")) {
            r.next();
            return new TxFacts(r.getInt(1), r.getString(2), r.getString(3), r.getString(4));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void snapshot_runsInOneReadOnlyRepeatableReadTransaction() {
        applyPythonV3AndGo();
        List<TxFacts> seen = new ArrayList<>();
        afterStatement = ctx -> seen.add(facts(ctx.connection()));

        load(Scope.of(Set.of(SMALL, LARGE)));

        assertThat(seen).hasSize(statements.size()).hasSizeGreaterThan(1);
        assertThat(seen).allSatisfy(f -> {
            assertThat(f.isolation()).isEqualTo("repeatable read");
            assertThat(f.readOnly()).isEqualTo("on");
        });
        // One session and one transaction start time for every statement: a single transaction.
        assertThat(seen).extracting(TxFacts::backendPid).containsOnly(seen.get(0).backendPid());
        assertThat(seen).extracting(TxFacts::transactionStart).containsOnly(seen.get(0).transactionStart());

        // The connection goes back to the pool as it was.
        afterStatement = ctx -> { };
        assertThat(db.dsl().fetchOne("select current_setting('transaction_isolation')").get(0, String.class))
                .isEqualTo("read committed");
    }

    @Test
    void snapshot_doesNotSeeWritesCommittedWhileItReads() {
        applyPythonV3AndGo();
        long small = rowId(SMALL);
        // Right after the first query, another session commits a new prebuild and a queued create. The
        // queries that follow must still see the database as it was at the first one.
        afterStatement = ctx -> {
            if (statements.size() == 1) {
                workspace(uuid(9, 1), small, "prebuilds", WorkspacePhase.running, T0, null);
                workspace(uuid(9, 2), small, "prebuilds", WorkspacePhase.starting, T0, null);
                build(uuid(9, 2), small, BuildTransition.create, BuildStatus.pending);
            }
        };

        Snapshot during = load(Scope.ALL);
        afterStatement = ctx -> { };

        PresetSnapshot smallDuring = during.presets().stream().filter(p -> p.id().equals(SMALL)).findFirst().orElseThrow();
        assertThat(smallDuring.running()).isEmpty();
        assertThat(smallDuring.inFlight()).isEqualTo(InFlight.NONE);
        assertThat(during.queuedCreates()).isZero();

        Snapshot after = load(Scope.ALL);
        PresetSnapshot smallAfter = after.presets().stream().filter(p -> p.id().equals(SMALL)).findFirst().orElseThrow();
        assertThat(smallAfter.running()).hasSize(1);
        assertThat(smallAfter.inFlight()).isEqualTo(new InFlight(1, 1, 0));
    }

    // ---- query count ---------------------------------------------------------------------------------------

    @Test
    void queryCount_doesNotGrowWithTheNumberOfPresets() {
        seed(10);
        Snapshot ten = load(Scope.ALL);
        int tenQueries = statements.size();

        TestDatabase.truncateAll(db);
        seed(1000);
        Snapshot thousand = load(Scope.ALL);
        int thousandQueries = statements.size();

        assertThat(ten.presets()).hasSize(10);
        assertThat(thousand.presets()).hasSize(1000);
        assertThat(thousand.queuedCreates()).isEqualTo(1000);
        assertThat(thousand.presets()).allSatisfy(p -> {
            assertThat(p.running()).hasSize(3);
            assertThat(p.failed()).hasSize(1);
            assertThat(p.inFlight()).isEqualTo(new InFlight(2, 1, 1));
            assertThat(p.policy().schedule().windows()).hasSize(1);
        });
        assertThat(tenQueries).as("statements seen by the listener").isPositive();
        assertThat(thousandQueries).isEqualTo(tenQueries).isLessThanOrEqualTo(5);
        // R13: presets without autoscale get no demand, and cost no query for it.
        assertThat(thousand.presets()).allSatisfy(p -> assertThat(p.demand()).isSameAs(DemandHistory.NONE));
        assertThat(statements).noneMatch(sql -> sql.contains("demand_") || sql.contains("ready_at"));

        // A nudge's scoped read of one preset is as few statements.
        Snapshot one = load(Scope.of(Set.of(thousand.presets().get(500).id())));
        assertThat(one.presets()).hasSize(1);
        assertThat(one.queuedCreates()).isEqualTo(1000);
        assertThat(statements).hasSizeLessThanOrEqualTo(7);
    }

    @Test
    void queryCount_withAutoscale_isThreeMore_whateverTheNumberOfPresets() {
        seed(10);
        load(Scope.ALL);
        int withoutAutoscale = statements.size();
        autoscaleAll();
        Snapshot ten = load(Scope.ALL);
        int tenQueries = statements.size();

        TestDatabase.truncateAll(db);
        seed(1000);
        autoscaleAll();
        Snapshot thousand = load(Scope.ALL);
        int thousandQueries = statements.size();

        assertThat(ten.presets()).hasSize(10);
        assertThat(thousandQueries).isEqualTo(tenQueries).isEqualTo(withoutAutoscale + 3).isLessThanOrEqualTo(8);
        assertThat(thousand.presets()).hasSize(1000).allSatisfy(p -> {
            assertThat(p.policy().autoscale()).isEqualTo(new Autoscale(0.99, 0, 20, Duration.ofDays(14)));
            assertThat(p.demand().since()).isEqualTo(T0);
            assertThat(p.demand().claimsByHour()).containsExactly(Map.entry(T0.minus(Duration.ofHours(2)), 3));
            assertThat(p.demand().claimsLastHour()).isEqualTo(2);
            assertThat(p.demand().buildTimes()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30),
                    Duration.ofSeconds(30));
        });

        Snapshot one = load(Scope.of(Set.of(thousand.presets().get(500).id())));
        assertThat(one.presets()).hasSize(1);
        assertThat(one.presets().get(0).demand().claimsLastHour()).isEqualTo(2);
        assertThat(statements).hasSizeLessThanOrEqualTo(10);
    }

    /**
     * Every seeded preset with autoscale (lookback 14 days), three claims two hours before {@link #T0}, two ten minutes
     * before, and its running prebuilds ready 30 s after their creation.
     */
    private static void autoscaleAll() {
        DSLContext dsl = db.dsl();
        dsl.execute("update presets set autoscale_target_hit_rate = 0.99, autoscale_min = 0, autoscale_max = 20, "
                + "autoscale_lookback_ms = ?", Duration.ofDays(14).toMillis());
        dsl.execute("insert into demand_hours (template, preset, hour, claims) select t.name, p.name, ?::timestamptz, 3 "
                + "from presets p join template_versions v on v.id = p.version_id join templates t on t.id = v.template_id",
                T0.minus(Duration.ofHours(2)).toString());
        dsl.execute("insert into demand_minutes (template, preset, minute, claims) select t.name, p.name, ?::timestamptz, 2 "
                + "from presets p join template_versions v on v.id = p.version_id join templates t on t.id = v.template_id",
                T0.minus(Duration.ofMinutes(10)).toString());
        dsl.execute("update workspaces set ready_at = created_at + interval '30 seconds' where phase = 'running'");
    }

    /**
     * {@code n} presets over templates of 100 presets each, each preset with one schedule window, three running
     * prebuilds, a failed one, a queued and a running create and a running delete — a handful of multi-row
     * inserts, so that 1,000 presets take well under a second.
     */
    private static void seed(int n) {
        DSLContext dsl = db.dsl();
        int templates = (n + 99) / 100;
        var templateInsert = dsl.insertInto(TEMPLATES, TEMPLATES.NAME, TEMPLATES.CREATED_AT, TEMPLATES.UPDATED_AT);
        for (int t = 0; t < templates; t++) {
            templateInsert = templateInsert.values("t" + t, T0, T0);
        }
        templateInsert.execute();
        dsl.insertInto(TEMPLATE_VERSIONS, TEMPLATE_VERSIONS.TEMPLATE_ID, TEMPLATE_VERSIONS.NAME, TEMPLATE_VERSIONS.ACTIVE,
                        TEMPLATE_VERSIONS.CREATED_AT)
                .select(DSL.select(TEMPLATES.ID, DSL.val("v1"), DSL.val(true), DSL.val(T0)).from(TEMPLATES))
                .execute();
        Map<String, Long> versionOf = dsl.select(TEMPLATES.NAME, TEMPLATE_VERSIONS.ID).from(TEMPLATE_VERSIONS)
                .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                .fetchMap(TEMPLATES.NAME, TEMPLATE_VERSIONS.ID);
        var presetInsert = dsl.insertInto(PRESETS, PRESETS.VERSION_ID, PRESETS.NAME, PRESETS.INSTANCES,
                PRESETS.CREATED_AT, PRESETS.UPDATED_AT);
        for (int i = 0; i < n; i++) {
            presetInsert = presetInsert.values(versionOf.get("t" + i / 100), "p" + i, 3, T0, T0);
        }
        presetInsert.execute();
        List<Long> presetRows = dsl.select(PRESETS.ID).from(PRESETS).orderBy(PRESETS.ID).fetch(PRESETS.ID);
        dsl.insertInto(PRESET_FAILURE_STATES, PRESET_FAILURE_STATES.PRESET_ID, PRESET_FAILURE_STATES.UPDATED_AT)
                .select(DSL.select(PRESETS.ID, DSL.val(T0)).from(PRESETS))
                .execute();
        dsl.execute("insert into preset_schedule_windows (preset_id, position, cron, instances) "
                + "select id, 0, '* 8-18 * * 1-5', 6 from presets");

        var workspaces = dsl.insertInto(WORKSPACES, WORKSPACES.ID, WORKSPACES.PRESET_ID, WORKSPACES.OWNER, WORKSPACES.NAME,
                WORKSPACES.PHASE, WORKSPACES.CREATED_AT, WORKSPACES.FAILED_AT);
        var builds = dsl.insertInto(BUILDS, BUILDS.WORKSPACE_ID, BUILDS.PRESET_ID, BUILDS.TRANSITION, BUILDS.STATUS,
                BUILDS.NOT_BEFORE, BUILDS.CREATED_AT, BUILDS.WORKER, BUILDS.HEARTBEAT_AT);
        for (int i = 0; i < presetRows.size(); i++) {
            long preset = presetRows.get(i);
            for (int j = 0; j < 3; j++) {
                workspaces = workspaces.values(uuid(i, j), preset, "prebuilds", "r" + j, WorkspacePhase.running, T0.plusSeconds(j), null);
            }
            workspaces = workspaces.values(uuid(i, 3), preset, "prebuilds", "f", WorkspacePhase.failed, T0, T0.plusSeconds(1));
            workspaces = workspaces.values(uuid(i, 4), preset, "prebuilds", "q", WorkspacePhase.starting, T0, null);
            workspaces = workspaces.values(uuid(i, 5), preset, "prebuilds", "s", WorkspacePhase.starting, T0, null);
            workspaces = workspaces.values(uuid(i, 6), preset, "prebuilds", "d", WorkspacePhase.deleting, T0, null);
            builds = builds.values(uuid(i, 4), preset, BuildTransition.create, BuildStatus.pending, T0, T0, null, null);
            builds = builds.values(uuid(i, 5), preset, BuildTransition.create, BuildStatus.running, T0, T0, "w1", T0);
            builds = builds.values(uuid(i, 6), preset, BuildTransition.delete, BuildStatus.running, T0, T0, "w1", T0);
        }
        workspaces.execute();
        builds.execute();
    }
}
