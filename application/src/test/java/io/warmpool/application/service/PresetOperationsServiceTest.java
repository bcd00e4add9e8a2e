package io.warmpool.application.service;

import io.warmpool.application.port.in.ApplyPresetsUseCase;
import static io.warmpool.application.fakes.Presets.input;
import static io.warmpool.application.fakes.Presets.presetInput;
import static io.warmpool.application.fakes.Presets.templateInput;
import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static io.warmpool.application.service.World.planOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.plan.BlockReason;
import io.warmpool.domain.plan.DeleteReason;
import io.warmpool.domain.plan.PlanAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A4 and A5 — operator actions. */
class PresetOperationsServiceTest {

    private final World world = new World();
    private final PresetOperationsService operations = world.operations();

    private static final PresetRef SMALL = new PresetRef("python", "small");

    // ---- apply (A4)

    @Test
    void givenValidInput_applyStoresEveryPresetWithACleanState() {
        // given
        var file = input(templateInput("python", "v1",
                presetInput("small", Map.of("cpu", "2"), 2),
                presetInput("large", Map.of("cpu", "8"), 1)));

        // when
        ApplyPresetsUseCase.Applied applied = operations.apply(file);

        // then
        assertThat(applied).isEqualTo(new ApplyPresetsUseCase.Applied(1, 1, 2, 0));
        PresetId small = world.store.resolve(SMALL).orElseThrow();
        assertThat(small).isEqualTo(new PresetId("python", "v1", "small"));
        assertThat(world.store.resolve(new PresetRef("python", "large"))).isPresent();
        assertThat(world.store.failureState(small)).isEqualTo(FailureState.initial());
        // and the next pass fills both pools
        assertThat(world.pass().creates()).isEqualTo(3);
    }

    @Test
    void givenInvalidInput_applyReportsEveryErrorWithItsPlaceAndStoresNothing() {
        // given: a valid template next to one with a bad name and one with a negative pool size
        var file = input(
                templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 1)),
                templateInput("Bad_Name", "v1", presetInput("small", Map.of(), 1)),
                templateInput("ruby", "v1", presetInput("small", Map.of(), -1)));
        String before = world.store.dump();

        // when / then
        assertThatThrownBy(() -> operations.apply(file))
                .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
                    assertThat(e.errors()).hasSize(2);
                    assertThat(e.errors()).extracting(ValidationError::field).anySatisfy(f -> assertThat(f).contains("Bad_Name"));
                    assertThat(e.errors()).extracting(ValidationError::field)
                            .anySatisfy(f -> assertThat(f).contains("ruby").contains("prebuilds.instances"));
                    assertThat(e.errors()).allSatisfy(err -> assertThat(err.source()).startsWith("presets.yaml"));
                });
        assertThat(world.store.dump()).isEqualTo(before);
        assertThat(world.store.resolve(SMALL)).isEmpty();
    }

    @Test
    void givenExistingVersion_changingItsParametersIsRejectedAndNothingIsStored() {
        // given
        operations.apply(input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 1))));
        String before = world.store.dump();

        // when: the same version with other parameters, together with an otherwise valid new template
        var file = input(
                templateInput("python", "v1", presetInput("small", Map.of("cpu", "4"), 3)),
                templateInput("ruby", "v1", presetInput("small", Map.of(), 1)));

        // then
        assertThatThrownBy(() -> operations.apply(file))
                .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.errors())
                        .singleElement().satisfies(err -> assertThat(err.field()).contains("python").contains("parameters")));
        assertThat(world.store.dump()).isEqualTo(before);
        assertThat(world.store.resolve(new PresetRef("ruby", "small"))).isEmpty();
    }

    @Test
    void givenHardLimitedPreset_changingItsPolicyInPlaceIsNotAResume() {
        // given
        operations.apply(input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 1))));
        PresetId small = world.store.resolve(SMALL).orElseThrow();
        FailureState limited = new FailureState(3, T0, T0.plusSeconds(180), PresetStatus.HARD_LIMITED);
        world.store.setFailureState(small, limited);

        // when
        ApplyPresetsUseCase.Applied applied = operations.apply(
                input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 5))));

        // then
        assertThat(applied.presetsUpdated()).isEqualTo(1);
        assertThat(world.store.failureState(small)).isEqualTo(limited);
        assertThat(planOf(world.pass(), small).actions())
                .containsExactly(new PlanAction.Blocked(BlockReason.HARD_LIMITED, 5, 0, null));
    }

    @Test
    void givenHardLimitedPreset_publishingANewVersionStartsClean() {
        // given
        operations.apply(input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 2))));
        PresetId v1 = world.store.resolve(SMALL).orElseThrow();
        world.store.setFailureState(v1, new FailureState(3, T0, T0.plusSeconds(180), PresetStatus.HARD_LIMITED));

        // when
        operations.apply(input(templateInput("python", "v2", presetInput("small", Map.of("cpu", "4"), 2))));

        // then
        PresetId v2 = world.store.resolve(SMALL).orElseThrow();
        assertThat(v2.version()).isEqualTo("v2");
        assertThat(world.store.failureState(v2)).isEqualTo(FailureState.initial());
        assertThat(planOf(world.pass(), v2).actions()).containsExactly(new PlanAction.Create(2));
    }

    // ---- resume (R4, R5)

    @ParameterizedTest
    @EnumSource(value = PresetStatus.class, names = {"HARD_LIMITED", "VALIDATION_FAILED"})
    void givenStoppedPreset_resumeMakesItHealthyKeepsTheCountAndTheNextPassProbesOnce(PresetStatus stopped) {
        // given
        PresetId preset = world.preset("python", 3);
        Instant lastFailure = T0.minusSeconds(10);
        world.store.setFailureState(preset, new FailureState(3, lastFailure, T0.plusSeconds(170), stopped));

        // when
        FailureTransition transition = operations.resume(SMALL);

        // then
        FailureState resumed = new FailureState(3, lastFailure, null, PresetStatus.HEALTHY);
        assertThat(transition.after()).isEqualTo(resumed);
        assertThat(world.store.failureState(preset)).isEqualTo(resumed);
        assertThat(world.events.ofType(EventType.PRESET_RESUMED)).singleElement()
                .satisfies(e -> assertThat(e.details()).containsEntry("from", stopped.name()));
        assertThat(world.store.nudges()).containsExactly(preset);
        assertThat(planOf(world.pass(), preset).actions()).containsExactly(
                new PlanAction.Create(1), new PlanAction.Blocked(BlockReason.PROBE, 3, 1, null));
    }

    @Test
    void givenUnknownPreset_resumeAndInvalidateThrowNotFound() {
        world.preset("python", 1);

        assertThatThrownBy(() -> operations.resume(new PresetRef("python", "large"))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> operations.invalidate(new PresetRef("ruby", "small"))).isInstanceOf(NotFoundException.class);
        assertThat(world.events.all()).isEmpty();
        assertThat(world.store.nudges()).isEmpty();
    }

    // ---- invalidate (R6)

    @Test
    void givenReadyPrebuilds_invalidateRollsEveryOneOver() {
        // given
        PresetId preset = world.preset("python", 3);
        List<WorkspaceId> old = List.of(
                world.store.seedReadyPrebuild(preset, id(901), T0.minusSeconds(300), Map.of()),
                world.store.seedReadyPrebuild(preset, id(902), T0.minusSeconds(200), Map.of()),
                world.store.seedReadyPrebuild(preset, id(903), T0.minusSeconds(100), Map.of()));

        // when
        PresetId invalidated = operations.invalidate(SMALL);
        PassReport report = world.pass();

        // then
        assertThat(invalidated).isEqualTo(preset);
        assertThat(world.store.nudges()).containsExactly(preset);
        assertThat(planOf(report, preset).deletes()).extracting(PlanAction.Delete::workspace).containsExactlyElementsOf(old);
        assertThat(planOf(report, preset).deletes()).extracting(PlanAction.Delete::reason).containsOnly(DeleteReason.INVALIDATED);
        assertThat(planOf(report, preset).creates()).isEqualTo(3);
        assertThat(old).allSatisfy(w -> assertThat(world.store.phaseOf(w)).contains(Phase.DELETING));
        assertThat(world.events.ofType(EventType.PRESET_INVALIDATED)).hasSize(1);
        assertThat(world.events.ofType(EventType.EXPIRED)).extracting(e -> e.details().get("reason"))
                .containsExactly("INVALIDATED", "INVALIDATED", "INVALIDATED");

        // and once the replacements are ready, the pool is full of new ones only
        world.drainSucceeding();
        PassReport after = world.pass();
        assertThat(planOf(after, preset).state().eligible()).hasSize(3).noneMatch(p -> old.contains(p.id()));
        assertThat(planOf(after, preset).isIdle()).isTrue();
    }

    // ---- pause (A5)

    @Test
    void givenPaused_passesSkipUntilResumed() {
        // given
        PresetId preset = world.preset("python", 1);

        // when
        operations.pause();
        PassReport whilePaused = world.pass();
        operations.resume();
        PassReport afterwards = world.pass();

        // then
        assertThat(whilePaused.skipped()).isEqualTo(PassReport.Skipped.PAUSED);
        assertThat(afterwards.ran()).isTrue();
        assertThat(operations.isPaused()).isFalse();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).hasSize(1);
    }

    // ---- dry run (issue 18)

    private static PresetsInput.PresetInput rich(String name, Map<String, String> parameters, int instances, String ttl,
                                                 String timezone, String cron, String readinessTimeout) {
        return rich(name, parameters, instances, ttl, timezone, cron, readinessTimeout, false);
    }

    private static PresetsInput.PresetInput rich(String name, Map<String, String> parameters, int instances, String ttl,
                                                 String timezone, String cron, String readinessTimeout, boolean autoscale) {
        return new PresetsInput.PresetInput("presets.yaml:3", name, parameters, new PresetsInput.PrebuildsInput(
                "presets.yaml:5", autoscale ? null : instances, ttl,
                timezone == null ? null : new PresetsInput.SchedulingInput("presets.yaml:7", timezone,
                        List.of(new PresetsInput.WindowInput("presets.yaml:9", cron, instances + 4))),
                readinessTimeout == null ? null : new PresetsInput.ReadinessInput("presets.yaml:11", "provisioner", readinessTimeout),
                new PresetsInput.HealthInput("presets.yaml:12", "1m", 2),
                autoscale ? new PresetsInput.AutoscaleInput("presets.yaml:13", 0.95, 0, 10, "7d") : null));
    }

    @Test
    void dryRun_listsEveryChange_addChangeRemoveDeprecate_andStoresNothing() {
        operations.apply(input(
                templateInput("python", "v1",
                        rich("small", Map.of("cpu", "2"), 2, "30m", "Europe/Berlin", "* 8-18 * * 1-5", "10m"),
                        presetInput("large", Map.of("cpu", "8"), 1)),
                templateInput("go", "v1", presetInput("svc", Map.of(), 1))));
        String before = world.store.dump();
        world.events.clear();

        PresetsInput next = input(
                new PresetsInput.TemplateInput("presets.yaml:1", "python", "v2", false, false, List.of(
                        rich("small", Map.of("cpu", "4"), 3, "1h", "Europe/Paris", "* 9-17 * * 1-5", "5m"),
                        presetInput("tiny", Map.of("cpu", "1"), 1))),
                new PresetsInput.TemplateInput("presets.yaml:20", "go", "v1", true, false,
                        List.of(presetInput("svc", Map.of(), 2))),
                templateInput("rust", "v1", presetInput("dev", Map.of(), 1)));

        ApplyPresetsUseCase.Preview preview = operations.preview(next);

        assertThat(world.store.dump()).as("a dry run stores nothing").isEqualTo(before);
        assertThat(world.events.all()).isEmpty();
        assertThat(preview.changes()).containsExactly(
                new ApplyPresetsUseCase.Change("change", "python", "version", "v1", "v2"),
                new ApplyPresetsUseCase.Change("change", "python/small", "parameters.cpu", "2", "4"),
                new ApplyPresetsUseCase.Change("change", "python/small", "prebuilds.instances", "2", "3"),
                new ApplyPresetsUseCase.Change("change", "python/small", "prebuilds.ttl", "30m", "1h"),
                new ApplyPresetsUseCase.Change("change", "python/small", "prebuilds.scheduling.timezone", "Europe/Berlin", "Europe/Paris"),
                new ApplyPresetsUseCase.Change("change", "python/small", "prebuilds.scheduling.schedule",
                        "[{cron: \"* 8-18 * * 1-5\", instances: 6}]", "[{cron: \"* 9-17 * * 1-5\", instances: 7}]"),
                new ApplyPresetsUseCase.Change("change", "python/small", "prebuilds.readiness.timeout", "10m", "5m"),
                new ApplyPresetsUseCase.Change("add", "python/tiny", null, null, null),
                new ApplyPresetsUseCase.Change("remove", "python/large", null, null, null),
                new ApplyPresetsUseCase.Change("deprecate", "go", "deprecated", "false", "true"),
                new ApplyPresetsUseCase.Change("change", "go/svc", "prebuilds.instances", "1", "2"),
                new ApplyPresetsUseCase.Change("add", "rust", "version", null, "v1"),
                new ApplyPresetsUseCase.Change("add", "rust/dev", null, null, null));

        // the counters are those the real apply then answers
        ApplyPresetsUseCase.Applied applied = operations.apply(next);
        assertThat(preview.counts()).isEqualTo(applied);
        // and applying the same file again would change nothing
        assertThat(operations.preview(next).changes()).isEmpty();
    }

    @Test
    void dryRun_rejectsWhatApplyRejects_withTheSameErrors_andStoresNothing() {
        operations.apply(input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "2"), 1))));
        String before = world.store.dump();
        PresetsInput changed = input(templateInput("python", "v1", presetInput("small", Map.of("cpu", "4"), 1)));

        Throwable dry = org.assertj.core.api.Assertions.catchThrowable(() -> operations.preview(changed));
        assertThat(world.store.dump()).isEqualTo(before);
        Throwable real = org.assertj.core.api.Assertions.catchThrowable(() -> operations.apply(changed));

        assertThat(dry).isInstanceOf(InvalidDefinitionException.class);
        assertThat(((InvalidDefinitionException) dry).errors()).isNotEmpty()
                .isEqualTo(((InvalidDefinitionException) real).errors());
        assertThatThrownBy(() -> operations.preview(input(templateInput("python", "v1", presetInput("small", Map.of(), -1)))))
                .isInstanceOf(InvalidDefinitionException.class);
        assertThat(world.store.dump()).isEqualTo(before);
    }

    @Test
    void definition_isWhatWasApplied() {
        operations.apply(input(templateInput("python", "v1",
                rich("small", Map.of("cpu", "2"), 2, "30m", "Europe/Berlin", "* 8-18 * * 1-5", "10m", true))));

        var definition = world.inspect().definition(new PresetId("python", "v1", "small")).orElseThrow();

        assertThat(io.warmpool.domain.definition.DefinitionView.fields(definition)).containsExactly(
                Map.entry("parameters.cpu", "2"), Map.entry("prebuilds.ttl", "30m"),
                Map.entry("prebuilds.scheduling.timezone", "Europe/Berlin"),
                Map.entry("prebuilds.scheduling.schedule", "[{cron: \"* 8-18 * * 1-5\", instances: 6}]"),
                Map.entry("prebuilds.readiness.check", "provisioner"), Map.entry("prebuilds.readiness.timeout", "10m"),
                Map.entry("prebuilds.health.interval", "1m"), Map.entry("prebuilds.health.unhealthy_after", "2"),
                Map.entry("prebuilds.autoscale.target_hit_rate", "0.95"), Map.entry("prebuilds.autoscale.min", "0"),
                Map.entry("prebuilds.autoscale.max", "10"), Map.entry("prebuilds.autoscale.lookback", "7d"));
        assertThat(world.inspect().definition(new PresetId("python", "v9", "small"))).isEmpty();
    }

    // ---- release (A5)

    @Test
    void givenClaimedWorkspace_releaseEnqueuesItsDeleteOnce_andASecondReleaseSucceedsWithoutAnother() {
        // given
        PresetId preset = world.preset("python", 1);
        WorkspaceId ws = world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of("url", "u"));
        ClaimPrebuildUseCase.Attempt claim = world.claims().claim(new ClaimCommand(SMALL, "ada", Optional.of("mine")));
        assertThat(claim).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        world.events.clear();

        // when
        operations.release(ws);

        // then
        assertThat(world.store.phaseOf(ws)).contains(Phase.DELETING);
        assertThat(world.store.builds(ws)).last().satisfies(b -> {
            assertThat(b.transition()).isEqualTo(Transition.DELETE);
            assertThat(b.reason()).isEqualTo("RELEASED");
        });
        assertThat(world.events.all()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.DELETE_STARTED);
            assertThat(e.workspace()).isEqualTo(ws);
            assertThat(e.details()).containsEntry("reason", "RELEASED");
        });
        // a second release while deleting, or after, answers the same (idempotent): no second delete, no event
        String deleting = world.store.dump();
        world.events.clear();
        operations.release(ws);
        assertThat(world.store.dump()).isEqualTo(deleting);
        assertThat(world.events.all()).isEmpty();
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.provisioner.lastCall().request().owner()).isEqualTo("ada");
        assertThat(world.store.phaseOf(ws)).contains(Phase.DELETED);
        String deleted = world.store.dump();
        world.events.clear();
        operations.release(ws);
        assertThat(world.store.dump()).isEqualTo(deleted);
        assertThat(world.events.all()).isEmpty();
    }

    @Test
    void givenUnclaimedPrebuild_releaseIsAConflictAndChangesNothing() {
        // given
        PresetId preset = world.preset("python", 1);
        WorkspaceId ws = world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of());
        String before = world.store.dump();

        // when / then
        assertThatThrownBy(() -> operations.release(ws)).isInstanceOf(ConflictException.class);
        assertThat(world.store.dump()).isEqualTo(before);
        assertThat(world.events.all()).isEmpty();
    }

    @Test
    void givenUnknownWorkspace_releaseThrowsNotFound() {
        assertThatThrownBy(() -> operations.release(id(12345))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void givenResumedValidationFailedPreset_aPermanentProbeFailureStopsItAgain() {
        // given: resumed, then its probe fails permanently
        PresetId preset = world.preset("python", 2);
        world.store.setFailureState(preset, new FailureState(1, T0, T0.plusSeconds(60), PresetStatus.VALIDATION_FAILED));
        operations.resume(SMALL);
        world.pass();

        // when
        world.provisioner.willReturn(new ProvisionResult.Failed("bad parameter", true, ""));
        world.step();

        // then
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.VALIDATION_FAILED);
        assertThat(planOf(world.pass(), preset).blocked()).map(PlanAction.Blocked::reason).contains(BlockReason.VALIDATION_FAILED);
        assertThat(Duration.between(T0, world.store.failureState(preset).retryNotBefore())).isEqualTo(World.INTERVAL.multipliedBy(2));
    }
}
