package io.warmpool.application.port.out.contract;

import static io.warmpool.application.fakes.Presets.document;
import static io.warmpool.application.fakes.Presets.preset;
import static io.warmpool.application.fakes.Presets.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.PresetStorePort.Applied;
import io.warmpool.application.port.out.PresetStorePort.ApplyOutcome;
import io.warmpool.application.port.out.PresetStorePort.Rejected;
import io.warmpool.application.port.out.SettingsPort;
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
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.plan.Activity;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PresetStorePort}, {@link FailureStatePort} and {@link SettingsPort}: what is stored is
 * read back through the snapshot, {@code resolve} and the ports themselves, also from another replica.
 */
public abstract class PresetStorePortContract extends PortContract {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Instant T1 = T0.plus(Duration.ofHours(1));

    private static final PresetDefinition SMALL = preset("small", Map.of("cpu", "2", "memory", "4Gi"), PrebuildPolicy.of(3));
    private static final PresetDefinition LARGE = preset("large", Map.of("cpu", "8"), PrebuildPolicy.of(1));


    private ApplyOutcome apply(PresetsDocument document, Instant now) {
        return store.presets().apply(document, now);
    }

    private PresetSnapshot snapshotOf(PresetId id) {
        return seed.snapshot(id);
    }

    // ---- stored (what GET of a preset shows and a dry run compares) ------------------------------------------

    @Test
    void stored_readsBackEveryVersionAsApplied_withFlagsAndTheActiveOne() {
        PrebuildPolicy rich = new PrebuildPolicy(2, Duration.ofMinutes(30), new PrebuildSchedule(ZoneId.of("Europe/Berlin"),
                List.of(new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6), new ScheduleWindow(CronWindow.parse("* 0-5 * * *"), 0))),
                new io.warmpool.domain.Readiness(io.warmpool.domain.Readiness.Check.AGENT, Duration.ofMinutes(5)),
                new io.warmpool.domain.Liveness(Duration.ofSeconds(90), 3));
        PresetDefinition scheduled = preset("small", Map.of("cpu", "2", "memory", "4Gi"), rich);
        PresetDefinition autoscaled = preset("auto", Map.of(), PrebuildPolicy.of(0)
                .withAutoscale(new io.warmpool.domain.Autoscale(0.99, 1, 20, Duration.ofDays(7))));
        apply(document(template("python-dev", "v1", SMALL)), T0);
        apply(document(new TemplateDefinition("python-dev", "v2", true, false, List.of(scheduled, autoscaled),
                new TemplateDefinition.TerraformModule("modules/python", ""))), T1);
        apply(document(template("go-dev", "v1", LARGE)), T1);

        List<PresetStorePort.StoredVersion> stored = store.presets().stored(List.of("python-dev", "nope"));

        assertThat(stored).extracting(v -> v.definition().version(), PresetStorePort.StoredVersion::active)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", false), org.assertj.core.groups.Tuple.tuple("v2", true));
        TemplateDefinition v2 = stored.get(1).definition();
        assertThat(v2.deprecated()).isTrue();
        assertThat(v2.deleted()).isFalse();
        assertThat(v2.terraformModule()).isEqualTo("modules/python");
        assertThat(v2.presets()).extracting(PresetDefinition::name).containsExactly("auto", "small");
        assertThat(v2.presets().get(1).parameters()).isEqualTo(scheduled.parameters());
        assertThat(v2.presets().get(1).policy()).isEqualTo(rich);
        assertThat(v2.presets().get(0).policy()).isEqualTo(autoscaled.policy());
        assertThat(stored.get(0).definition().presets()).singleElement()
                .satisfies(p -> assertThat(p.policy()).isEqualTo(PrebuildPolicy.of(3)));
        assertThat(store.presets().stored(List.of())).isEmpty();
    }

    // ---- apply ---------------------------------------------------------------------------------------------

    @Test
    void applyNewTemplate_createsTemplateVersionAndPresets_withCleanFailureState() {
        ApplyOutcome outcome = apply(document(template("python-dev", "v3", SMALL, LARGE)), T0);

        assertThat(outcome).isEqualTo(new Applied(1, 1, 2, 0));
        List<PresetSnapshot> presets = store.snapshots().load(Scope.ALL).presets();
        assertThat(presets).extracting(PresetSnapshot::id).containsExactly(
                new PresetId("python-dev", "v3", "large"), new PresetId("python-dev", "v3", "small"));
        assertThat(presets.get(1).policy()).isEqualTo(PrebuildPolicy.of(3));
        assertThat(presets).allSatisfy(p -> {
            assertThat(p.activity()).isEqualTo(new Activity(true, false, false));
            assertThat(p.invalidatedAt()).isNull();
            assertThat(p.failure()).isEqualTo(FailureState.initial());
            assertThat(p.running()).isEmpty();
            assertThat(p.failed()).isEmpty();
        });
        assertThat(store.presets().resolve(new PresetRef("python-dev", "small")))
                .contains(new PresetId("python-dev", "v3", "small"));
    }

    @Test
    void applyNewVersion_makesItTheOnlyActiveVersion_withNewPresets() {
        apply(document(template("python-dev", "v3", SMALL)), T0);

        ApplyOutcome outcome = apply(document(template("python-dev", "v4", SMALL, LARGE)), T1);

        assertThat(outcome).isEqualTo(new Applied(1, 1, 2, 0));
        assertThat(store.presets().resolve(new PresetRef("python-dev", "small")))
                .contains(new PresetId("python-dev", "v4", "small"));
        assertThat(store.presets().resolve(new PresetRef("python-dev", "large")))
                .contains(new PresetId("python-dev", "v4", "large"));
        assertThat(snapshotOf(new PresetId("python-dev", "v4", "large")).failure()).isEqualTo(FailureState.initial());

        // Going back to an existing version re-activates it without creating anything.
        assertThat(apply(document(template("python-dev", "v3", SMALL)), T1)).isEqualTo(new Applied(1, 0, 0, 1));
        assertThat(store.presets().resolve(new PresetRef("python-dev", "small")))
                .contains(new PresetId("python-dev", "v3", "small"));
        assertThat(store.presets().resolve(new PresetRef("python-dev", "large"))).isEmpty();
    }

    @Test
    void applyPolicyChanges_updatesInPlace_andReplacesScheduleWindows() {
        PrebuildSchedule berlin = new PrebuildSchedule(ZoneId.of("Europe/Berlin"), List.of(
                new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 6),
                new ScheduleWindow(CronWindow.parse("* 0-5 * * *"), 0)));
        apply(document(template("python-dev", "v3",
                preset("small", SMALL.parameters(), new PrebuildPolicy(3, Duration.ofHours(24), berlin)))), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        assertThat(snapshotOf(small).policy()).isEqualTo(new PrebuildPolicy(3, Duration.ofHours(24), berlin));

        PrebuildSchedule tokyo = new PrebuildSchedule(ZoneId.of("Asia/Tokyo"), List.of(
                new ScheduleWindow(CronWindow.parse("* 9-17 * * 1-5"), 4)));
        ApplyOutcome outcome = apply(document(template("python-dev", "v3",
                preset("small", SMALL.parameters(), new PrebuildPolicy(5, Duration.ofMinutes(90), tokyo)))), T1);

        assertThat(outcome).isEqualTo(new Applied(1, 0, 0, 1));
        assertThat(snapshotOf(small).policy()).isEqualTo(new PrebuildPolicy(5, Duration.ofMinutes(90), tokyo));

        // Removing every window leaves none behind.
        apply(document(template("python-dev", "v3", preset("small", SMALL.parameters(), PrebuildPolicy.of(5)))), T1);
        assertThat(snapshotOf(small).policy().schedule().windows()).isEmpty();
        assertThat(snapshotOf(small).policy()).isEqualTo(PrebuildPolicy.of(5));
    }

    @Test
    void applyPolicyChange_isNotAResume_failureStateStays() {
        apply(document(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        FailureState limited = new FailureState(3, T0, T0.plusSeconds(45), PresetStatus.HARD_LIMITED);
        store.failureStates().update(small, s -> new FailureTransition(s, limited));

        apply(document(template("python-dev", "v3", preset("small", SMALL.parameters(), PrebuildPolicy.of(9)))), T1);

        assertThat(store.failureStates().update(small, s -> new FailureTransition(s, s)).before()).isEqualTo(limited);
        assertThat(snapshotOf(small).failure()).isEqualTo(limited);
    }

    @Test
    void applyChangingParametersOfAnExistingVersion_isRejected_andStoresNothing() {
        apply(document(template("python-dev", "v3", SMALL, LARGE)), T0);
        store.settings().setPaused(true, T0);
        List<PresetSnapshot> before = store.snapshots().load(Scope.ALL).presets();

        // A new template in the same file would be fine on its own: all or nothing means it is not stored either.
        ApplyOutcome outcome = anotherReplica().presets().apply(document(
                template("go-dev", "v1", preset("tiny", Map.of("cpu", "1"), PrebuildPolicy.of(1))),
                template("python-dev", "v3",
                        preset("small", Map.of("cpu", "4", "memory", "4Gi"), PrebuildPolicy.of(7)), LARGE)), T1);

        assertThat(outcome).isInstanceOf(Rejected.class);
        List<ValidationError> errors = ((Rejected) outcome).errors();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).toString()).contains("python-dev", "v3", "small", "parameters");
        assertThat(store.snapshots().load(Scope.ALL).presets()).isEqualTo(before);
        assertThat(store.presets().resolve(new PresetRef("go-dev", "tiny"))).isEmpty();
        assertThat(store.settings().isPaused()).isTrue();
    }

    @Test
    void aVersionsTerraformModule_isStored_readFromEveryReplica_andCannotChange() {
        TemplateDefinition.TerraformModule own = new TemplateDefinition.TerraformModule("modules/python", "presets.yaml:3");
        apply(document(new TemplateDefinition("python-dev", "v3", false, false, List.of(SMALL), own),
                template("go-dev", "v1", LARGE)), T0);

        assertThat(anotherReplica().presets().terraformModule(new PresetId("python-dev", "v3", "small")))
                .contains("modules/python");
        assertThat(store.presets().terraformModule(new PresetId("go-dev", "v1", "large"))).as("none named").isEmpty();
        assertThat(store.presets().terraformModule(new PresetId("nope", "v1", "x"))).isEmpty();

        for (TemplateDefinition.TerraformModule changed : new TemplateDefinition.TerraformModule[] {
                new TemplateDefinition.TerraformModule("modules/python-2", "presets.yaml:3"), null}) {
            ApplyOutcome outcome = apply(document(
                    new TemplateDefinition("python-dev", "v3", false, false, List.of(SMALL), changed)), T1);
            assertThat(outcome).isInstanceOf(Rejected.class);
            assertThat(((Rejected) outcome).errors().get(0).toString())
                    .contains("python-dev", "v3", "terraform.module", "cannot change", "modules/python");
        }
        ApplyOutcome added = apply(document(new TemplateDefinition("go-dev", "v1", false, false, List.of(LARGE), own)), T1);
        assertThat(added).as("a version stored without a module keeps none").isInstanceOf(Rejected.class);
        assertThat(apply(document(new TemplateDefinition("python-dev", "v4", false, false, List.of(SMALL),
                new TemplateDefinition.TerraformModule("modules/python-2", ""))), T1))
                .as("a new version may name another").isInstanceOf(Applied.class);
        assertThat(store.presets().terraformModule(new PresetId("python-dev", "v4", "small"))).contains("modules/python-2");
        assertThat(store.presets().terraformModule(new PresetId("python-dev", "v3", "small"))).contains("modules/python");
    }

    @Test
    void applySameParametersInAnotherKeyOrder_isNotAChange() {
        apply(document(template("python-dev", "v3", SMALL)), T0);

        LinkedHashMap<String, String> reordered = new LinkedHashMap<>();
        reordered.put("memory", "4Gi");
        reordered.put("cpu", "2");
        assertThat(apply(document(template("python-dev", "v3", preset("small", reordered, PrebuildPolicy.of(3)))), T1))
                .isEqualTo(new Applied(1, 0, 0, 1));
    }

    @Test
    void applyDeprecatedOrDeletedFlags_areStoredOnTheTemplate() {
        PresetId small = new PresetId("python-dev", "v3", "small");
        apply(document(new TemplateDefinition("python-dev", "v3", true, false, List.of(SMALL))), T0);
        assertThat(snapshotOf(small).activity()).isEqualTo(new Activity(true, true, false));

        apply(document(new TemplateDefinition("python-dev", "v3", false, true, List.of(SMALL))), T1);
        assertThat(snapshotOf(small).activity()).isEqualTo(new Activity(true, false, true));
        assertThat(snapshotOf(small).activity().isActive()).isFalse();
    }

    // ---- resolve and invalidate ----------------------------------------------------------------------------

    @Test
    void resolve_namesThePresetOfTheActiveVersion() {
        apply(document(template("python-dev", "v3", SMALL)), T0);
        apply(document(template("python-dev", "v4", SMALL)), T1);

        assertThat(anotherReplica().presets().resolve(new PresetRef("python-dev", "small")))
                .contains(new PresetId("python-dev", "v4", "small"));
    }

    @Test
    void resolve_isEmptyForUnknownTemplatesOrPresets() {
        apply(document(template("python-dev", "v3", SMALL)), T0);

        assertThat(store.presets().resolve(new PresetRef("python-dev", "huge"))).isEmpty();
        assertThat(store.presets().resolve(new PresetRef("go-dev", "small"))).isEmpty();
    }

    @Test
    void resolve_isEmptyWhenTheActiveVersionDropsThePreset() {
        apply(document(template("python-dev", "v3", SMALL, LARGE)), T0);
        apply(document(template("python-dev", "v4", SMALL)), T1);

        assertThat(store.presets().resolve(new PresetRef("python-dev", "large"))).isEmpty();
    }

    @Test
    void invalidate_setsInvalidatedAt() {
        apply(document(template("python-dev", "v3", SMALL, LARGE)), T0);

        anotherReplica().presets().invalidate(new PresetId("python-dev", "v3", "small"), T1);

        assertThat(snapshotOf(new PresetId("python-dev", "v3", "small")).invalidatedAt()).isEqualTo(T1);
        assertThat(snapshotOf(new PresetId("python-dev", "v3", "large")).invalidatedAt()).isNull();
    }

    @Test
    void invalidateUnknownPreset_isNotFound() {
        apply(document(template("python-dev", "v3", SMALL)), T0);

        assertThatThrownBy(() -> store.presets().invalidate(new PresetId("python-dev", "v3", "huge"), T1))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("huge");
    }

    // ---- failure state ---------------------------------------------------------------------------------------

    @Test
    void updateFailureState_writesTheResult_andReturnsTheTransition() {
        apply(document(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");
        FailurePolicy policy = new FailurePolicy(new BackoffSettings(new BackoffPolicy.Linear(Duration.ofMinutes(1)), Jitter.NONE),
                2, new SplittableRandom(1));

        FailureTransition first = store.failureStates().update(small, s -> policy.recordOutcome(s, CreateOutcome.FAILED, T0));
        assertThat(first.before()).isEqualTo(FailureState.initial());
        assertThat(first.after()).isEqualTo(new FailureState(1, T0, T0.plus(Duration.ofMinutes(1)), PresetStatus.HEALTHY));

        // Another replica reads what the first wrote.
        FailureTransition second = anotherReplica().failureStates()
                .update(small, s -> policy.recordOutcome(s, CreateOutcome.FAILED, T1));
        assertThat(second.before()).isEqualTo(first.after());
        assertThat(second.becameHardLimited()).isTrue();

        FailureTransition resumed = store.failureStates().update(small, policy::resume);
        assertThat(resumed.after()).isEqualTo(new FailureState(2, T1, null, PresetStatus.HEALTHY));
        assertThat(snapshotOf(small).failure()).isEqualTo(new FailureState(2, T1, null, PresetStatus.HEALTHY));
    }

    @Test
    void updateFailureStateOfUnknownPreset_isNotFound() {
        apply(document(template("python-dev", "v3", SMALL)), T0);

        assertThatThrownBy(() -> store.failureStates().update(new PresetId("python-dev", "v9", "small"),
                s -> new FailureTransition(s, s)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void updateFailureState_whenTheChangeThrows_storesNothing() {
        apply(document(template("python-dev", "v3", SMALL)), T0);
        PresetId small = new PresetId("python-dev", "v3", "small");

        assertThatThrownBy(() -> store.failureStates().update(small, s -> {
            throw new IllegalStateException("rule bug");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(store.failureStates().update(small, s -> new FailureTransition(s, s)).before())
                .isEqualTo(FailureState.initial());
    }

    // ---- settings ------------------------------------------------------------------------------------------

    @Test
    void pauseFlag_defaultsToRunning_andRoundTripsForEveryReplica() {
        SettingsPort one = store.settings();
        SettingsPort other = anotherReplica().settings();
        assertThat(one.isPaused()).isFalse();

        one.setPaused(true, T0);
        assertThat(other.isPaused()).isTrue();

        other.setPaused(false, T1);
        assertThat(one.isPaused()).isFalse();

        one.setPaused(true, T1);
        one.setPaused(true, T1);
        assertThat(other.isPaused()).isTrue();
    }
}
