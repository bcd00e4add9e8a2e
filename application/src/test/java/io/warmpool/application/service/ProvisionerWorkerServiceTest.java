package io.warmpool.application.service;

import static io.warmpool.application.fakes.FakeProvisioner.permanentFailure;
import static io.warmpool.application.fakes.FakeProvisioner.transientFailure;
import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.INTERVAL;
import static io.warmpool.application.service.World.T0;
import static io.warmpool.application.service.World.planOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.warmpool.application.fakes.FakeProvisioner;
import io.warmpool.application.fakes.Presets;
import io.warmpool.application.fakes.RecordingMetrics.JobFinished;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.BlockReason;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PlannerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A2 — provisioner workers, and R3–R5 as the services carry them out. */
class ProvisionerWorkerServiceTest {

    private final World world = new World();
    private final PresetId preset = world.preset("python", 1);

    /** One create of {@link #preset} queued at the current instant, for workspace {@code id(n)}. */
    private WorkspaceId queueCreate(long n) {
        WorkspaceId ws = id(n);
        world.store.enqueueCreates(List.of(new CreateRequest(ws, "prebuild-" + n, preset)), world.clock.instant());
        return ws;
    }

    private JobId runningJob() {
        List<BuildView> running = world.store.jobs(Transition.CREATE, "running");
        assertThat(running).hasSize(1);
        return running.get(0).id();
    }

    private List<BuildView> buildsOf(WorkspaceId ws) {
        return world.store.builds(ws);
    }

    @Test
    void givenNothingQueued_stepIsIdle() {
        // when
        WorkerStep step = world.step();

        // then
        assertThat(step).isEqualTo(WorkerStep.IDLE);
        assertThat(world.provisioner.calls()).isEmpty();
        assertThat(world.timer.scheduledCount()).isZero();
        assertThat(world.metrics.jobsStarted()).isEmpty();
    }

    @Test
    void givenCreateSucceeds_workspaceRunsWithItsOutputsAndFailureStateIsCleared() {
        // given: two earlier failures, their backoff over
        world.store.setFailureState(preset, new FailureState(2, T0.minusSeconds(600), T0.minusSeconds(480), PresetStatus.HEALTHY));
        WorkspaceId ws = queueCreate(1);
        world.clock.advance(Duration.ofSeconds(30));
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of("url", "https://ws/1"), "done"));

        // when
        WorkerStep step = world.step();

        // then
        assertThat(step).isEqualTo(WorkerStep.SUCCEEDED);
        ProvisionRequest request = world.provisioner.lastCall().request();
        assertThat(request.transition()).isEqualTo(Transition.CREATE);
        assertThat(request.workspace()).isEqualTo(ws);
        assertThat(request.owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(request.parameters()).containsExactly(Map.entry("size", "small"));
        assertThat(request.attempt()).isEqualTo(1);
        WorkspacePort.WorkspaceView view = world.store.find(ws).orElseThrow();
        assertThat(view.phase()).isEqualTo(Phase.RUNNING);
        assertThat(view.outputs()).containsExactly(Map.entry("url", "https://ws/1"));
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(world.events.types()).containsExactly(EventType.CREATE_SUCCEEDED);
        assertThat(world.metrics.jobsStarted()).containsExactly(Transition.CREATE);
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("succeeded");
        assertThat(world.metrics.jobPresets()).as("the build duration's preset").containsExactly(preset);
        assertThat(world.timer.activePeriods()).as("no heartbeat left behind").isEmpty();
    }

    @Test
    void givenAProvisionerThatAnswersACreateWithACheck_itIsATransientFailure_notACrash() {
        WorkspaceId ws = queueCreate(1);
        world.provisioner.willReturn(ProvisionResult.Checked.of(io.warmpool.application.port.out.Health.READY, ""));

        WorkerStep step = world.step();

        assertThat(step).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(buildsOf(ws)).last().satisfies(b -> assertThat(b.error())
                .isEqualTo("provisioner answered a check to a create"));
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void givenTransientFailure_failureIsCountedAndBackoffEventCarriesUntil() {
        // given
        WorkspaceId ws = queueCreate(1);
        Instant failedAt = world.clock.advance(Duration.ofSeconds(40));
        world.provisioner.willReturn(new ProvisionResult.Failed("quota exceeded", false, "log"));

        // when
        WorkerStep step = world.step();

        // then: k = 1, back off for 1 × interval
        assertThat(step).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset))
                .isEqualTo(new FailureState(1, failedAt, failedAt.plus(INTERVAL), PresetStatus.HEALTHY));
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(buildsOf(ws)).last().satisfies(b -> {
            assertThat(b.errorCode()).isEqualTo("failed");
            assertThat(b.error()).isEqualTo("quota exceeded");
        });
        assertThat(world.events.types()).containsExactly(EventType.CREATE_FAILED, EventType.BACKOFF);
        assertThat(world.events.ofType(EventType.CREATE_FAILED).get(0).details())
                .containsEntry("error", "quota exceeded").containsEntry("permanent", "false");
        Event backoff = world.events.ofType(EventType.BACKOFF).get(0);
        assertThat(backoff.details()).containsEntry("until", failedAt.plus(INTERVAL).toString()).containsEntry("failures", "1");
        assertThat(backoff.workspace()).isEqualTo(ws);
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("failed");
    }

    @Test
    void givenTwoEarlierFailures_theThirdHardLimitsThePreset() {
        // given
        world.store.setFailureState(preset, new FailureState(2, T0.minusSeconds(300), T0.minusSeconds(180), PresetStatus.HEALTHY));
        queueCreate(1);
        world.provisioner.willReturn(transientFailure("still broken"));

        // when
        world.step();

        // then
        assertThat(world.store.failureState(preset))
                .isEqualTo(new FailureState(3, T0, T0.plus(INTERVAL.multipliedBy(3)), PresetStatus.HARD_LIMITED));
        assertThat(world.events.types()).containsExactly(EventType.CREATE_FAILED, EventType.BACKOFF, EventType.HARD_LIMITED);
        assertThat(world.events.ofType(EventType.HARD_LIMITED).get(0).details()).containsEntry("failures", "3");
    }

    @Test
    void givenPermanentFailure_presetIsValidationFailedAtOnce() {
        // given
        queueCreate(1);
        world.provisioner.willReturn(permanentFailure("unknown parameter cpu"));

        // when
        WorkerStep step = world.step();

        // then
        assertThat(step).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset))
                .isEqualTo(new FailureState(1, T0, T0.plus(INTERVAL), PresetStatus.VALIDATION_FAILED));
        assertThat(world.events.types())
                .containsExactly(EventType.CREATE_FAILED, EventType.BACKOFF, EventType.VALIDATION_FAILED);
        assertThat(world.events.ofType(EventType.VALIDATION_FAILED).get(0).details())
                .containsEntry("error", "unknown parameter cpu");
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("permanent");
        // and the next pass creates nothing, naming the guard
        assertThat(planOf(world.pass(), preset).blocked()).map(PlanAction.Blocked::reason)
                .contains(BlockReason.VALIDATION_FAILED);
    }

    @Test
    void givenProvisionerUnavailable_jobGoesBackToTheQueueUncountedUntilItsNotBefore() {
        // given
        FailureState before = new FailureState(1, T0.minusSeconds(300), T0.minusSeconds(240), PresetStatus.HEALTHY);
        world.store.setFailureState(preset, before);
        WorkspaceId ws = queueCreate(1);
        world.provisioner.willReturn(new ProvisionResult.Unavailable("circuit open"));

        // when
        WorkerStep step = world.step();

        // then: released, nothing counted, still a starting prebuild
        assertThat(step).isEqualTo(WorkerStep.RELEASED);
        assertThat(world.store.failureState(preset)).isEqualTo(before);
        assertThat(world.store.phaseOf(ws)).contains(Phase.STARTING);
        assertThat(world.store.jobs(Transition.CREATE, "pending")).hasSize(1);
        assertThat(world.events.types()).containsExactly(EventType.JOB_RELEASED);
        assertThat(world.events.all().get(0).details()).containsEntry("reason", "circuit open");
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("unavailable");

        // and it is not taken again before the retry delay (15 s by default)
        world.clock.advance(WorkerSettings.DEFAULTS.unavailableRetryDelay().minusMillis(1));
        assertThat(world.step()).isEqualTo(WorkerStep.IDLE);
        world.clock.advance(Duration.ofMillis(1));
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.provisioner.calls()).hasSize(2);
        assertThat(world.provisioner.lastCall().request().attempt()).isEqualTo(2);
    }

    @Test
    void givenProvisionerThrows_itIsRecordedAsTransientFailure() {
        // given
        WorkspaceId ws = queueCreate(1);
        world.provisioner.willThrow(new IllegalStateException("boom"));

        // when
        WorkerStep step = world.step();

        // then
        assertThat(step).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(1);
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.HEALTHY);
        assertThat(buildsOf(ws)).last().satisfies(b -> assertThat(b.error()).contains("boom"));
        assertThat(world.timer.activePeriods()).isEmpty();
    }

    @Test
    void givenProvisionerStageCompletesExceptionally_itIsRecordedAsTransientFailure() {
        // given: a call still in progress
        WorkspaceId ws = queueCreate(1);
        CompletableFuture<WorkerStep> step = world.startStep();
        assertThat(step).isNotDone();

        // when
        world.provisioner.lastCall().completeExceptionally(new RuntimeException("connection reset"));

        // then
        assertThat(step).isCompletedWithValue(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(1);
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.HEALTHY);
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(buildsOf(ws)).last().satisfies(b -> assertThat(b.error()).contains("connection reset"));
    }

    @Test
    void givenLongRunningJob_heartbeatsKeepItAliveAndStopWhenItEnds() {
        // given: a job taken at T0 whose provisioner call is still running
        queueCreate(1);
        CompletableFuture<WorkerStep> step = world.startStep();
        JobId job = runningJob();
        assertThat(world.timer.activePeriods()).containsExactly(Duration.ofSeconds(20));

        // when: 50 s later a heartbeat fires, and 50 s after that another replica looks for lost jobs
        world.clock.advance(Duration.ofSeconds(50));
        assertThat(world.timer.fire()).isEqualTo(1);
        world.clock.advance(Duration.ofSeconds(50));
        int reaped = world.worker().reapLostJobs();

        // then: 100 s after it was taken the job is alive, because its last heartbeat is 50 s old
        assertThat(world.store.heartbeatAt(job)).isEqualTo(T0.plusSeconds(50));
        assertThat(reaped).isZero();

        // and when it ends the heartbeat stops
        world.provisioner.lastCall().succeed(Map.of());
        assertThat(step).isCompletedWithValue(WorkerStep.SUCCEEDED);
        assertThat(world.timer.activePeriods()).isEmpty();
        assertThat(world.timer.fire()).isZero();
    }

    @Test
    void givenJobReapedAsLostWhileRunning_stepReturnsLostAndFailureStateIsUnchanged() {
        // given: a job whose worker has not heartbeaten for the timeout (60 s)
        FailureState before = new FailureState(1, T0.minusSeconds(300), T0.minusSeconds(240), PresetStatus.HEALTHY);
        world.store.setFailureState(preset, before);
        WorkspaceId ws = queueCreate(1);
        CompletableFuture<WorkerStep> step = world.startStep();
        JobId job = runningJob();
        world.clock.advance(Duration.ofSeconds(60).minusMillis(1));
        assertThat(world.worker().reapLostJobs()).as("not yet lost at 59.999 s").isZero();
        world.clock.advance(Duration.ofMillis(1));

        // when
        int reaped = world.worker().reapLostJobs();
        world.timer.fire(); // the worker's late heartbeat is refused, harmlessly
        world.provisioner.lastCall().fail("too late anyway");

        // then
        assertThat(reaped).isEqualTo(1);
        assertThat(step).isCompletedWithValue(WorkerStep.LOST);
        assertThat(world.store.failureState(preset)).isEqualTo(before);
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(buildsOf(ws)).last().satisfies(b -> {
            assertThat(b.id()).isEqualTo(job);
            assertThat(b.errorCode()).isEqualTo("worker_lost");
        });
        assertThat(world.events.types()).containsExactly(EventType.WORKER_LOST);
        assertThat(world.events.all().get(0).details()).containsEntry("transition", "create").containsEntry("job", job.toString());
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("lost", "lost");
        assertThat(world.timer.activePeriods()).isEmpty();
    }

    @Test
    void givenOneStaleAndOneLiveJob_reapFailsOnlyTheStaleOneAndLeavesFailureStateAlone() {
        // given: worker A took a job at T0, worker B another at T0+30s; it is now T0+65s
        Worker a = new Worker("replica-1/w1");
        Worker b = new Worker("replica-2/w1");
        WorkspaceId stale = queueCreate(1);
        WorkspaceId live = queueCreate(2);
        CompletableFuture<WorkerStep> stepA = world.startStep(a);
        world.clock.advance(Duration.ofSeconds(30));
        CompletableFuture<WorkerStep> stepB = world.startStep(b);
        world.clock.advance(Duration.ofSeconds(35));

        // when
        int reaped = world.worker().reapLostJobs();

        // then
        assertThat(reaped).isEqualTo(1);
        assertThat(world.events.ofType(EventType.WORKER_LOST)).extracting(Event::workspace).containsExactly(stale);
        assertThat(world.store.phaseOf(stale)).contains(Phase.FAILED);
        assertThat(world.store.phaseOf(live)).contains(Phase.STARTING);
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(world.store.jobs(Transition.CREATE, "running")).hasSize(1);
        assertThat(stepA).isNotDone();
        assertThat(stepB).isNotDone();
    }

    @Test
    void givenCreateQueuedBeforeDelete_theDeleteIsTakenFirstAndCarriesTheOutputs() {
        // given
        WorkspaceId toCreate = queueCreate(1);
        WorkspaceId toDelete = world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of("url", "https://ws/900"));
        world.clock.advance(Duration.ofSeconds(1));
        world.store.enqueueDeletes(List.of(new DeleteRequest(toDelete, preset, DeleteRequest.Reason.EXTRANEOUS)), world.clock.instant());
        world.provisioner.answerAll(FakeProvisioner::succeededFor);

        // when
        WorkerStep first = world.step();
        WorkerStep second = world.step();

        // then
        assertThat(world.provisioner.requests()).extracting(ProvisionRequest::transition, ProvisionRequest::workspace)
                .containsExactly(tuple(Transition.DELETE, toDelete),
                        tuple(Transition.CREATE, toCreate));
        assertThat(world.provisioner.requests().get(0).outputs()).containsEntry("url", "https://ws/900");
        assertThat(first).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(second).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.store.phaseOf(toDelete)).contains(Phase.DELETED);
        assertThat(world.events.types()).containsExactly(EventType.DELETE_SUCCEEDED, EventType.CREATE_SUCCEEDED);
    }

    @Test
    void givenDeleteFails_failureStateIsNotTouched() {
        // given
        WorkspaceId ws = world.store.seedReadyPrebuild(preset, id(900), T0.minusSeconds(60), Map.of());
        world.store.enqueueDeletes(List.of(new DeleteRequest(ws, preset, DeleteRequest.Reason.EXTRANEOUS)), T0);
        world.provisioner.willReturn(transientFailure("disk busy"));

        // when
        WorkerStep step = world.step();

        // then
        assertThat(step).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(world.events.types()).containsExactly(EventType.DELETE_FAILED);
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
    }

    @Test
    void givenThreeCreatesFailTogether_eachCountsAndThePresetIsHardLimited() {
        // given: three creates in flight
        world.apply("python", "v1", Presets.preset("small", 3));
        world.pass();

        // when: all three fail
        assertThat(world.drain(r -> transientFailure("no capacity"))).containsExactly(
                WorkerStep.FAILED, WorkerStep.FAILED, WorkerStep.FAILED);

        // then: k = 3, so the preset is hard-limited at once; the backoff grew 1×, 2×, 3×
        assertThat(world.store.failureState(preset))
                .isEqualTo(new FailureState(3, T0, T0.plus(INTERVAL.multipliedBy(3)), PresetStatus.HARD_LIMITED));
        assertThat(world.events.ofType(EventType.BACKOFF)).extracting(e -> e.details().get("until")).containsExactly(
                T0.plus(INTERVAL).toString(), T0.plus(INTERVAL.multipliedBy(2)).toString(),
                T0.plus(INTERVAL.multipliedBy(3)).toString());
        assertThat(world.events.ofType(EventType.HARD_LIMITED)).hasSize(1);
        // and long after the backoff, still nothing is created
        world.clock.advance(Duration.ofMinutes(10));
        assertThat(planOf(world.pass(), preset).actions()).containsExactly(
                new PlanAction.Blocked(BlockReason.HARD_LIMITED, 3, 0, null));
    }

    @Test
    void givenHardLimitedPreset_aCreateAlreadyInFlightThatSucceedsLiftsTheLimit() {
        // given: four creates in flight; three fail, which hard-limits the preset
        world.apply("python", "v1", Presets.preset("small", 4));
        world.pass();
        world.provisioner.willReturn(transientFailure("a")).willReturn(transientFailure("b")).willReturn(transientFailure("c"));
        world.step();
        world.step();
        world.step();
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.HARD_LIMITED);

        // when: the fourth succeeds
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""));
        world.step();

        // then: cleared, and the next pass goes back to the full rate
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(planOf(world.pass(), preset).actions()).containsExactly(new PlanAction.Create(3));
    }

    /**
     * R3, R4 and R9 end to end: reconcile passes, workers and an operator resume, with linear backoff of one
     * minute and hard limit 3.
     */
    @Test
    void givenRepeatedFailures_passesBackOffLongerEachTimeProbeOneAtATimeAndStopAtTheHardLimit() {
        // given: a pool of 3, built at T0; the third create fails (failed prebuilds kept for a day, so that
        // their cleanup does not interleave with the creates this test follows)
        world.reconcileSettings = new ReconcileSettings(new PlannerSettings(Duration.ofDays(1), 5), 200);
        world.apply("python", "v1", Presets.preset("small", 3));
        world.pass();
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""))
                .willReturn(new ProvisionResult.Succeeded(Map.of(), ""))
                .willReturn(transientFailure("flaky"));
        assertThat(List.of(world.step(), world.step(), world.step()))
                .containsExactly(WorkerStep.SUCCEEDED, WorkerStep.SUCCEEDED, WorkerStep.FAILED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(1);
        // two users take both ready prebuilds, so the pool needs 3 again
        ClaimPrebuildService claims = world.claims();
        assertThat(claims.claim(new ClaimCommand(preset.ref(), "ada", Optional.empty()))).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        assertThat(claims.claim(new ClaimCommand(preset.ref(), "bob", Optional.empty()))).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);

        // when / then: during the first backoff (1 × interval) nothing is created, and the deadline is shown
        world.clock.set(T0.plusSeconds(30));
        assertThat(actionsOfPass()).containsExactly(new PlanAction.Blocked(BlockReason.BACKOFF, 3, 0, T0.plus(INTERVAL)));

        // at the deadline exactly one probe, and no second one while it is in flight
        world.clock.set(T0.plus(INTERVAL));
        assertThat(actionsOfPass()).containsExactly(
                new PlanAction.Create(1), new PlanAction.Blocked(BlockReason.PROBE, 3, 1, null));
        assertThat(actionsOfPass()).containsExactly(new PlanAction.Blocked(BlockReason.PROBE, 2, 0, null));

        // the probe fails: k = 2, backoff 2 × interval
        Instant secondFailure = world.clock.instant();
        world.provisioner.willReturn(transientFailure("flaky"));
        assertThat(world.step()).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset).retryNotBefore()).isEqualTo(secondFailure.plus(INTERVAL.multipliedBy(2)));
        world.clock.set(secondFailure.plus(INTERVAL));
        assertThat(actionsOfPass()).containsExactly(
                new PlanAction.Blocked(BlockReason.BACKOFF, 3, 0, secondFailure.plus(INTERVAL.multipliedBy(2))));

        // after it, one probe again; it fails: k = 3 reaches the hard limit
        world.clock.set(secondFailure.plus(INTERVAL.multipliedBy(2)));
        assertThat(actionsOfPass()).startsWith(new PlanAction.Create(1));
        world.provisioner.willReturn(transientFailure("flaky"));
        assertThat(world.step()).isEqualTo(WorkerStep.FAILED);
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.HARD_LIMITED);
        assertThat(world.events.ofType(EventType.HARD_LIMITED)).hasSize(1);

        // hard-limited: nothing, however long we wait
        world.clock.advance(Duration.ofHours(1));
        assertThat(actionsOfPass()).containsExactly(new PlanAction.Blocked(BlockReason.HARD_LIMITED, 3, 0, null));

        // an operator resumes it: k is kept, so the next pass sends a single probe
        world.operations().resume(preset.ref());
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(3);
        assertThat(actionsOfPass()).containsExactly(
                new PlanAction.Create(1), new PlanAction.Blocked(BlockReason.PROBE, 3, 1, null));

        // the probe succeeds: k = 0 and the full rate is back
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.store.failureState(preset)).isEqualTo(FailureState.initial());
        assertThat(actionsOfPass()).containsExactly(new PlanAction.Create(2));

        // a later failure starts again at 1 × interval
        Instant later = world.clock.instant();
        world.provisioner.willReturn(transientFailure("flaky"));
        world.step();
        assertThat(world.store.failureState(preset)).isEqualTo(new FailureState(1, later, later.plus(INTERVAL), PresetStatus.HEALTHY));
    }

    @Test
    void givenResumedPresetStillAtTheLimit_aFailedProbeHardLimitsItAgainAtOnce() {
        // given: hard-limited at k = 3, then resumed
        world.store.setFailureState(preset, new FailureState(3, T0.minusSeconds(60), T0.plusSeconds(120), PresetStatus.HARD_LIMITED));
        world.operations().resume(preset.ref());
        world.pass();

        // when: the probe fails
        world.provisioner.willReturn(transientFailure("still broken"));
        world.step();

        // then
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.HARD_LIMITED);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isEqualTo(4);
        assertThat(planOf(world.pass(), preset).blocked()).map(PlanAction.Blocked::reason).contains(BlockReason.HARD_LIMITED);
    }

    private List<PlanAction> actionsOfPass() {
        PassReport report = world.pass();
        assertThat(report.failures()).isEmpty();
        return planOf(report, preset).actions();
    }
}
