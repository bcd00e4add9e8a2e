package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_SCHEDULE_WINDOWS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static io.warmpool.application.fakes.Presets.document;
import static io.warmpool.application.fakes.Presets.preset;
import static io.warmpool.application.fakes.Presets.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.warmpool.adapters.db.jooq.enums.PresetStatus;
import io.warmpool.application.port.out.PresetStorePort.ApplyOutcome;
import io.warmpool.application.port.out.PresetStorePort.Rejected;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JooqPresetStoreAdapter} on real PostgreSQL: what only the database has. The contract of
 * {@code PresetStorePort}, {@code FailureStatePort} and {@code SettingsPort} is {@code PresetStorePortContract} (run
 * here by {@link PostgresPresetStoreContractTest}, and on the fake in application); these stay database-only: the
 * schema's own guard (one active version), a rejected apply leaving every table as it was, the rows' timestamp
 * columns, and concurrent failure-state updates serialised by a row lock across connections.
 */
class PresetStoreDatabaseTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant T1 = T0.plus(Duration.ofHours(1));
    private static final List<String> ALL_TABLES = List.of("templates", "template_versions", "presets",
            "preset_schedule_windows", "preset_failure_states", "settings");

    private JooqPresetStoreAdapter store;

    @BeforeEach
    void setUp() {
        store = newReplica();
    }

    /** Another adapter with its own identity cache, as another replica would have. */
    private static JooqPresetStoreAdapter newReplica() {
        return new JooqPresetStoreAdapter(db.dsl(), new PresetIds(), Clock.fixed(T0, ZoneOffset.UTC));
    }


    private static final PresetDefinition SMALL = preset("small", Map.of("cpu", "2", "memory", "4Gi"), PrebuildPolicy.of(3));
    private static final PresetDefinition LARGE = preset("large", Map.of("cpu", "8"), PrebuildPolicy.of(1));

    // ---- apply ---------------------------------------------------------------------------------------------

    @Test
    void schema_refusesASecondActiveVersionOfOneTemplate() {
        store.apply(document(template("python-dev", "v3", SMALL)), T0);
        Long templateId = db.dsl().select(TEMPLATES.ID).from(TEMPLATES).fetchOne(TEMPLATES.ID);

        assertThatThrownBy(() -> db.dsl().insertInto(TEMPLATE_VERSIONS)
                .set(TEMPLATE_VERSIONS.TEMPLATE_ID, templateId)
                .set(TEMPLATE_VERSIONS.NAME, "v4")
                .set(TEMPLATE_VERSIONS.ACTIVE, true)
                .set(TEMPLATE_VERSIONS.CREATED_AT, T1)
                .execute())
                .isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("23505"))
                .hasMessageContaining("template_versions_one_active");
    }

    /** Every row of every table the store writes, for "nothing changed" checks. */
    private static Map<String, List<Map<String, Object>>> dumpTables() {
        Map<String, List<Map<String, Object>>> out = new java.util.LinkedHashMap<>();
        for (String table : ALL_TABLES) {
            out.put(table, db.dsl().fetch("select * from " + table + " order by 1, 2").intoMaps());
        }
        return out;
    }

    @Test
    void applyRejected_changesNoTableAtAll() {
        store.apply(document(template("python-dev", "v3", SMALL, LARGE)), T0);
        store.setPaused(true, T0);
        Map<String, List<Map<String, Object>>> before = dumpTables();

        ApplyOutcome outcome = newReplica().apply(document(
                template("go-dev", "v1", preset("tiny", Map.of("cpu", "1"), PrebuildPolicy.of(1))),
                template("python-dev", "v3",
                        preset("small", Map.of("cpu", "4", "memory", "4Gi"), PrebuildPolicy.of(7)), LARGE)), T1);

        assertThat(outcome).isInstanceOf(Rejected.class);
        assertThat(dumpTables()).isEqualTo(before);
    }

    @Test
    void applyAndUpdate_stampTheRowsWithTheirInstants() {
        PrebuildSchedule berlin = new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(
                new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6)));
        store.apply(document(template("python-dev", "v3",
                preset("small", SMALL.parameters(), new PrebuildPolicy(3, Duration.ofHours(24), berlin)))), T0);
        store.apply(document(new TemplateDefinition("python-dev", "v3", true, false, List.of(
                preset("small", SMALL.parameters(), new PrebuildPolicy(5, Duration.ofMinutes(90), PrebuildSchedule.none()))))), T1);
        JooqPresetStoreAdapter later = new JooqPresetStoreAdapter(db.dsl(), new PresetIds(), Clock.fixed(T1, ZoneOffset.UTC));
        later.update(new PresetId("python-dev", "v3", "small"), s -> new FailureTransition(s,
                new FailureState(1, T0, T0.plusSeconds(60), io.warmpool.domain.backoff.PresetStatus.HEALTHY)));

        assertThat(db.dsl().selectFrom(TEMPLATE_VERSIONS).fetchOne().getCreatedAt()).isEqualTo(T0);
        assertThat(db.dsl().selectFrom(TEMPLATES).fetchOne().getUpdatedAt()).isEqualTo(T1);
        var row = db.dsl().selectFrom(PRESETS).fetchOne();
        assertThat(row.getCreatedAt()).isEqualTo(T0);
        assertThat(row.getUpdatedAt()).isEqualTo(T1);
        assertThat(row.getTtlMs()).isEqualTo(Duration.ofMinutes(90).toMillis());
        assertThat(db.dsl().fetchCount(PRESET_SCHEDULE_WINDOWS)).isZero();
        var state = db.dsl().selectFrom(PRESET_FAILURE_STATES).fetchOne();
        assertThat(state.getConsecutiveFailures()).isEqualTo(1);
        assertThat(state.getStatus()).isEqualTo(PresetStatus.healthy);
        assertThat(state.getUpdatedAt()).isEqualTo(T1); // the adapter's clock
    }

    // ---- failure state ---------------------------------------------------------------------------------------

    @Test
    void concurrentFailureUpdates_eachCountOnce() throws Exception {
        store.apply(document(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<FailureTransition>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                // Each thread its own adapter: as many replicas, with nothing shared but the database.
                JooqPresetStoreAdapter replica = newReplica();
                results.add(pool.submit(() -> {
                    start.await();
                    return replica.update(small, s -> {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            int k = s.consecutiveFailures() + 1;
                            return new FailureTransition(s, new FailureState(k, T0, T0.plusSeconds(k),
                                    io.warmpool.domain.backoff.PresetStatus.HEALTHY));
                        } finally {
                            inside.decrementAndGet();
                        }
                    });
                }));
            }
            start.countDown();
            List<Integer> seen = new ArrayList<>();
            for (Future<FailureTransition> f : results) {
                seen.add(f.get(30, TimeUnit.SECONDS).before().consecutiveFailures());
            }
            // The row lock serializes the read-change-write: every thread saw a different k.
            assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(maxInside.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.dsl().select(PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES).from(PRESET_FAILURE_STATES)
                .fetchOne(PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES)).isEqualTo(threads);
    }

    // ---- settings ------------------------------------------------------------------------------------------

}
