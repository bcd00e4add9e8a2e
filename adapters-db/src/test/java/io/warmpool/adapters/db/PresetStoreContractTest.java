package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES;
import static io.warmpool.adapters.db.jooq.Tables.PRESET_SCHEDULE_WINDOWS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.jooq.enums.PresetStatus;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetStorePort.Applied;
import io.warmpool.application.port.out.PresetStorePort.ApplyOutcome;
import io.warmpool.application.port.out.PresetStorePort.Rejected;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.BackoffPolicy;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.CreateOutcome;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.Jitter;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.definition.ValidationError;
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
import java.util.SplittableRandom;
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
 * {@link JooqPresetStoreAdapter} against real PostgreSQL, as {@code PresetStorePort}, {@code FailureStatePort}
 * and {@code SettingsPort}.
 */
class PresetStoreContractTest extends DatabaseTestBase {

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

    private static PresetDefinition preset(String name, Map<String, String> parameters, PrebuildPolicy policy) {
        return new PresetDefinition(name, parameters, policy);
    }

    private static PresetsDocument doc(TemplateDefinition... templates) {
        return new PresetsDocument(List.of(templates));
    }

    private static TemplateDefinition template(String name, String version, PresetDefinition... presets) {
        return new TemplateDefinition(name, version, false, false, List.of(presets));
    }

    private static final PresetDefinition SMALL = preset("small", Map.of("cpu", "2", "memory", "4Gi"), PrebuildPolicy.of(3));
    private static final PresetDefinition LARGE = preset("large", Map.of("cpu", "8"), PrebuildPolicy.of(1));

    // ---- apply ---------------------------------------------------------------------------------------------

    @Test
    void applyNewTemplate_createsTemplateVersionAndPresets_withCleanFailureState() {
        ApplyOutcome outcome = store.apply(doc(template("python-dev", "v3", SMALL, LARGE)), T0);

        assertThat(outcome).isEqualTo(new Applied(1, 1, 2, 0));
        assertThat(db.dsl().fetchCount(TEMPLATES)).isEqualTo(1);
        assertThat(db.dsl().selectFrom(TEMPLATE_VERSIONS).fetchOne())
                .satisfies(v -> {
                    assertThat(v.getName()).isEqualTo("v3");
                    assertThat(v.getActive()).isTrue();
                    assertThat(v.getCreatedAt()).isEqualTo(T0);
                });
        var presets = db.dsl().selectFrom(PRESETS).orderBy(PRESETS.NAME).fetch();
        assertThat(presets.getValues(PRESETS.NAME)).containsExactly("large", "small");
        assertThat(Json.map(presets.get(1).getParameters())).isEqualTo(Map.of("cpu", "2", "memory", "4Gi"));
        assertThat(presets.get(1).getInstances()).isEqualTo(3);
        assertThat(presets.get(1).getInvalidatedAt()).isNull();
        var states = db.dsl().selectFrom(PRESET_FAILURE_STATES).fetch();
        assertThat(states).hasSize(2).allSatisfy(s -> {
            assertThat(s.getConsecutiveFailures()).isZero();
            assertThat(s.getLastFailureAt()).isNull();
            assertThat(s.getRetryNotBefore()).isNull();
            assertThat(s.getStatus()).isEqualTo(PresetStatus.healthy);
        });
    }

    @Test
    void applyNewVersion_makesItTheOnlyActiveVersion_withNewPresets() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);

        ApplyOutcome outcome = store.apply(doc(template("python-dev", "v4", SMALL, LARGE)), T1);

        assertThat(outcome).isEqualTo(new Applied(1, 1, 2, 0));
        assertThat(db.dsl().select(TEMPLATE_VERSIONS.NAME, TEMPLATE_VERSIONS.ACTIVE).from(TEMPLATE_VERSIONS)
                .orderBy(TEMPLATE_VERSIONS.NAME).fetch().intoMap(TEMPLATE_VERSIONS.NAME, TEMPLATE_VERSIONS.ACTIVE))
                .containsExactly(Map.entry("v3", false), Map.entry("v4", true));
        assertThat(db.dsl().fetchCount(PRESETS)).isEqualTo(3);
        assertThat(db.dsl().fetchCount(PRESET_FAILURE_STATES)).isEqualTo(3);

        // Going back to an existing version re-activates it without creating anything.
        assertThat(store.apply(doc(template("python-dev", "v3", SMALL)), T1)).isEqualTo(new Applied(1, 0, 0, 1));
        assertThat(db.dsl().select(TEMPLATE_VERSIONS.NAME).from(TEMPLATE_VERSIONS).where(TEMPLATE_VERSIONS.ACTIVE)
                .fetch(TEMPLATE_VERSIONS.NAME)).containsExactly("v3");
    }

    @Test
    void schema_refusesASecondActiveVersionOfOneTemplate() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
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

    @Test
    void applyPolicyChanges_updatesInPlace_andReplacesScheduleWindows() {
        PrebuildSchedule berlin = new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(
                new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6),
                new ScheduleWindow(CronWindow.parse("* 0-5 * * *"), 0)));
        store.apply(doc(template("python-dev", "v3",
                preset("small", SMALL.parameters(), new PrebuildPolicy(3, Duration.ofHours(24), berlin)))), T0);

        PrebuildSchedule tokyo = new PrebuildSchedule(ZoneId.of("Asia/Tokyo"), List.of(
                new ScheduleWindow(CronWindow.parse("* 9-17 * * 1-5"), 4)));
        ApplyOutcome outcome = store.apply(doc(template("python-dev", "v3",
                preset("small", SMALL.parameters(), new PrebuildPolicy(5, Duration.ofMinutes(90), tokyo)))), T1);

        assertThat(outcome).isEqualTo(new Applied(1, 0, 0, 1));
        var row = db.dsl().selectFrom(PRESETS).fetchOne();
        assertThat(row.getInstances()).isEqualTo(5);
        assertThat(row.getTtlMs()).isEqualTo(Duration.ofMinutes(90).toMillis());
        assertThat(row.getTimezone()).isEqualTo("Asia/Tokyo");
        assertThat(row.getCreatedAt()).isEqualTo(T0);
        assertThat(row.getUpdatedAt()).isEqualTo(T1);
        assertThat(db.dsl().select(PRESET_SCHEDULE_WINDOWS.POSITION, PRESET_SCHEDULE_WINDOWS.CRON, PRESET_SCHEDULE_WINDOWS.INSTANCES)
                .from(PRESET_SCHEDULE_WINDOWS).orderBy(PRESET_SCHEDULE_WINDOWS.POSITION).fetch()
                .map(r -> r.value1() + " " + r.value2() + " " + r.value3()))
                .containsExactly("0 * 9-17 * * 1-5 4");

        // Removing every window leaves none behind.
        store.apply(doc(template("python-dev", "v3", preset("small", SMALL.parameters(), PrebuildPolicy.of(5)))), T1);
        assertThat(db.dsl().fetchCount(PRESET_SCHEDULE_WINDOWS)).isZero();
    }

    @Test
    void applyPolicyChange_isNotAResume_failureStateStays() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        FailureState limited = new FailureState(3, T0, T0.plusSeconds(45), io.warmpool.domain.backoff.PresetStatus.HARD_LIMITED);
        store.update(small, s -> new FailureTransition(s, limited));

        store.apply(doc(template("python-dev", "v3", preset("small", SMALL.parameters(), PrebuildPolicy.of(9)))), T1);

        assertThat(store.update(small, s -> new FailureTransition(s, s)).before()).isEqualTo(limited);
    }

    @Test
    void applyChangingParametersOfAnExistingVersion_isRejected_andStoresNothing() {
        store.apply(doc(template("python-dev", "v3", SMALL, LARGE)), T0);
        store.setPaused(true, T0);
        Map<String, List<Map<String, Object>>> before = dumpTables();

        // A new template in the same file would be fine on its own: all or nothing means it is not stored either.
        ApplyOutcome outcome = newReplica().apply(doc(
                template("go-dev", "v1", preset("tiny", Map.of("cpu", "1"), PrebuildPolicy.of(1))),
                template("python-dev", "v3",
                        preset("small", Map.of("cpu", "4", "memory", "4Gi"), PrebuildPolicy.of(7)), LARGE)), T1);

        assertThat(outcome).isInstanceOf(Rejected.class);
        List<ValidationError> errors = ((Rejected) outcome).errors();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).toString()).contains("python-dev", "v3", "small", "parameters");
        assertThat(dumpTables()).isEqualTo(before);
    }

    @Test
    void applySameParametersInAnotherKeyOrder_isNotAChange() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);

        java.util.LinkedHashMap<String, String> reordered = new java.util.LinkedHashMap<>();
        reordered.put("memory", "4Gi");
        reordered.put("cpu", "2");
        assertThat(store.apply(doc(template("python-dev", "v3", preset("small", reordered, PrebuildPolicy.of(3)))), T1))
                .isEqualTo(new Applied(1, 0, 0, 1));
    }

    @Test
    void applyDeprecatedOrDeletedFlags_areStoredOnTheTemplate() {
        store.apply(doc(new TemplateDefinition("python-dev", "v3", true, false, List.of(SMALL))), T0);
        assertThat(db.dsl().selectFrom(TEMPLATES).fetchOne().getDeprecated()).isTrue();

        store.apply(doc(new TemplateDefinition("python-dev", "v3", false, true, List.of(SMALL))), T1);
        var row = db.dsl().selectFrom(TEMPLATES).fetchOne();
        assertThat(row.getDeprecated()).isFalse();
        assertThat(row.getDeleted()).isTrue();
        assertThat(row.getUpdatedAt()).isEqualTo(T1);
    }

    /** Every row of every table the store writes, for "nothing changed" checks. */
    private static Map<String, List<Map<String, Object>>> dumpTables() {
        Map<String, List<Map<String, Object>>> out = new java.util.LinkedHashMap<>();
        for (String table : ALL_TABLES) {
            out.put(table, db.dsl().fetch("select * from " + table + " order by 1, 2").intoMaps());
        }
        return out;
    }

    // ---- resolve and invalidate ----------------------------------------------------------------------------

    @Test
    void resolve_namesThePresetOfTheActiveVersion() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
        store.apply(doc(template("python-dev", "v4", SMALL)), T1);

        assertThat(newReplica().resolve(new PresetRef("python-dev", "small")))
                .contains(new PresetId("python-dev", "v4", "small"));
    }

    @Test
    void resolve_isEmptyForUnknownTemplatesOrPresets() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);

        assertThat(store.resolve(new PresetRef("python-dev", "huge"))).isEmpty();
        assertThat(store.resolve(new PresetRef("go-dev", "small"))).isEmpty();
    }

    @Test
    void resolve_isEmptyWhenTheActiveVersionDropsThePreset() {
        store.apply(doc(template("python-dev", "v3", SMALL, LARGE)), T0);
        store.apply(doc(template("python-dev", "v4", SMALL)), T1);

        assertThat(store.resolve(new PresetRef("python-dev", "large"))).isEmpty();
    }

    @Test
    void invalidate_setsInvalidatedAt() {
        store.apply(doc(template("python-dev", "v3", SMALL, LARGE)), T0);

        newReplica().invalidate(new PresetId("python-dev", "v3", "small"), T1);

        assertThat(db.dsl().select(PRESETS.NAME, PRESETS.INVALIDATED_AT).from(PRESETS).orderBy(PRESETS.NAME).fetch()
                .map(r -> r.value1() + "=" + r.value2()))
                .containsExactly("large=null", "small=" + T1);
    }

    @Test
    void invalidateUnknownPreset_isNotFound() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);

        assertThatThrownBy(() -> store.invalidate(new PresetId("python-dev", "v3", "huge"), T1))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("huge");
    }

    // ---- failure state ---------------------------------------------------------------------------------------

    @Test
    void updateFailureState_writesTheResult_andReturnsTheTransition() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        FailurePolicy policy = new FailurePolicy(new BackoffSettings(new BackoffPolicy.Linear(Duration.ofMinutes(1)), Jitter.NONE),
                2, new SplittableRandom(1));

        FailureTransition first = store.update(small, s -> policy.recordOutcome(s, CreateOutcome.FAILED, T0));
        assertThat(first.before()).isEqualTo(FailureState.initial());
        assertThat(first.after()).isEqualTo(new FailureState(1, T0, T0.plus(Duration.ofMinutes(1)),
                io.warmpool.domain.backoff.PresetStatus.HEALTHY));

        // Another replica reads what the first wrote.
        FailureTransition second = newReplica().update(small, s -> policy.recordOutcome(s, CreateOutcome.FAILED, T1));
        assertThat(second.before()).isEqualTo(first.after());
        assertThat(second.becameHardLimited()).isTrue();

        FailureTransition resumed = store.update(small, policy::resume);
        assertThat(resumed.after()).isEqualTo(new FailureState(2, T1, null, io.warmpool.domain.backoff.PresetStatus.HEALTHY));

        var row = db.dsl().selectFrom(PRESET_FAILURE_STATES).fetchOne();
        assertThat(row.getConsecutiveFailures()).isEqualTo(2);
        assertThat(row.getLastFailureAt()).isEqualTo(T1);
        assertThat(row.getRetryNotBefore()).isNull();
        assertThat(row.getStatus()).isEqualTo(PresetStatus.healthy);
        assertThat(row.getUpdatedAt()).isEqualTo(T0); // the adapter's clock
    }

    @Test
    void updateFailureStateOfUnknownPreset_isNotFound() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);

        assertThatThrownBy(() -> store.update(new PresetId("python-dev", "v9", "small"), s -> new FailureTransition(s, s)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void updateFailureState_whenTheChangeThrows_storesNothing() {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");

        assertThatThrownBy(() -> store.update(small, s -> {
            throw new IllegalStateException("rule bug");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(store.update(small, s -> new FailureTransition(s, s)).before()).isEqualTo(FailureState.initial());
    }

    @Test
    void concurrentFailureUpdates_eachCountOnce() throws Exception {
        store.apply(doc(template("python-dev", "v3", SMALL)), T0);
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

    @Test
    void pauseFlag_defaultsToRunning_andRoundTripsForEveryReplica() {
        JooqPresetStoreAdapter other = newReplica();
        assertThat(store.isPaused()).isFalse();

        store.setPaused(true, T0);
        assertThat(other.isPaused()).isTrue();

        other.setPaused(false, T1);
        assertThat(store.isPaused()).isFalse();

        store.setPaused(true, T1);
        store.setPaused(true, T1);
        assertThat(other.isPaused()).isTrue();
    }
}
