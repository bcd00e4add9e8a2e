package io.warmpool.application.service;

import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.fakes.RecordingMetrics.JobFinished;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase.Callback;
import io.warmpool.application.port.in.CompleteBuildUseCase.CallbackRejectedException;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.BuildCallbackPort;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous completion (issue 15, http "202 Accepted"): the worker frees its slot, the build awaits its callback
 * without being reaped, the callback is recorded from any replica as a worker records an answer, and a callback that
 * never comes fails the create at the deadline, counting in R3.
 */
class AsynchronousBuildsTest {

    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(30);

    private final World world = new World();
    private final PresetId preset = world.preset("python", 1);
    /** What the callback port answers next, and the request ids it was asked about. */
    private volatile BuildCallbackPort.Verdict verdict = new BuildCallbackPort.Verified(
            new ProvisionResult.Succeeded(Map.of("url", "https://vm-1"), "booted"));
    private final List<String> opened = new CopyOnWriteArrayList<>();
    private final CompleteBuildUseCase callbacks = new CompleteBuildService(world.clock,
            (requestId, body, timestamp, signature, now) -> {
                opened.add(requestId);
                return verdict;
            }, world.store, world.failurePolicy, world.events, world.metrics);

    private WorkspaceId queueCreate(long n) {
        WorkspaceId ws = id(n);
        world.store.enqueueCreates(List.of(new CreateRequest(ws, "prebuild-" + n, preset)), world.clock.instant());
        return ws;
    }

    private BuildView build(WorkspaceId ws) {
        List<BuildView> builds = world.store.builds(ws);
        return builds.get(builds.size() - 1);
    }

    private static Callback callback(JobId job) {
        return new Callback(job.value(), "{}".getBytes(StandardCharsets.UTF_8), "1", "sha256=00");
    }

    /** A create the provisioner accepted at T0; the worker's step has ended. */
    private JobId acceptedCreate(WorkspaceId ws) {
        world.provisioner.willReturn(new ProvisionResult.Accepted(CREATE_TIMEOUT, "HTTP 202"));
        assertThat(world.step()).isEqualTo(WorkerStep.ACCEPTED);
        return build(ws).id();
    }

    @Test
    void givenAnAcceptedCreate_theWorkerIsFreeAtOnce_andTheBuildAwaitsItsCallbackUnreaped() {
        WorkspaceId slow = queueCreate(1);
        WorkspaceId next = queueCreate(2);

        JobId job = acceptedCreate(slow);

        assertThat(world.timer.activePeriods()).as("no heartbeat for an awaited build").isEmpty();
        assertThat(build(slow).status()).isEqualTo("running");
        assertThat(world.store.phaseOf(slow)).contains(Phase.STARTING);
        assertThat(world.events.ofType(EventType.JOB_ACCEPTED)).singleElement().satisfies(e -> assertThat(e.details())
                .containsEntry("job", job.toString()).containsEntry("until", T0.plus(CREATE_TIMEOUT).toString()));
        assertThat(world.metrics.jobsFinished()).extracting(JobFinished::outcome).containsExactly("accepted");
        // the same worker slot takes the next job at once
        world.provisioner.willReturn(new ProvisionResult.Succeeded(Map.of(), ""));
        assertThat(world.step()).isEqualTo(WorkerStep.SUCCEEDED);
        assertThat(world.store.phaseOf(next)).contains(Phase.RUNNING);
        // far past the heartbeat timeout, the awaited build is not lost
        world.clock.advance(Duration.ofMinutes(29));
        assertThat(world.worker().reapLostJobs()).isZero();
        assertThat(build(slow).status()).isEqualTo("running");
        assertThat(world.events.ofType(EventType.WORKER_LOST)).isEmpty();
    }

    @Test
    void givenTheCallbackAfterSixMinutes_theCreateSucceedsAsIfTheWorkerHadRecordedIt() {
        world.store.setFailureState(preset, new FailureState(2, T0.minusSeconds(600), T0.minusSeconds(480),
                PresetStatus.HEALTHY));
        WorkspaceId ws = queueCreate(1);
        JobId job = acceptedCreate(ws);
        world.clock.advance(Duration.ofMinutes(6));

        CompleteBuildUseCase.Completed done = callbacks.complete(callback(job));

        assertThat(done).isEqualTo(new CompleteBuildUseCase.Completed(job.value(), "create", "succeeded"));
        assertThat(opened).containsExactly("build-" + job.value());
        assertThat(build(ws).status()).isEqualTo("succeeded");
        assertThat(world.store.phaseOf(ws)).contains(Phase.RUNNING);
        assertThat(world.store.failureState(preset)).as("R3: a success clears k").isEqualTo(FailureState.initial());
        assertThat(world.events.types()).endsWith(EventType.CREATE_SUCCEEDED);
        assertThat(world.metrics.awaitedJobsFinished()).containsExactly(
                new JobFinished(Transition.CREATE, "succeeded", Duration.ofMinutes(6)));
    }

    @Test
    void givenAPermanentFailureByCallback_thePresetIsValidationFailed() {
        WorkspaceId ws = queueCreate(1);
        JobId job = acceptedCreate(ws);
        verdict = new BuildCallbackPort.Verified(new ProvisionResult.Failed("image not found", true, ""));

        assertThat(callbacks.complete(callback(job)).outcome()).isEqualTo("permanent");

        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        assertThat(world.store.failureState(preset).status()).isEqualTo(PresetStatus.VALIDATION_FAILED);
        assertThat(world.events.types()).contains(EventType.CREATE_FAILED, EventType.VALIDATION_FAILED);
    }

    @Test
    void givenNoCallbackByTheDeadline_theReaperFailsTheCreateAndItCountsInK() {
        WorkspaceId ws = queueCreate(1);
        JobId job = acceptedCreate(ws);
        world.clock.advance(CREATE_TIMEOUT.minusMillis(1));
        assertThat(world.worker().reapLostJobs()).as("not yet overdue").isZero();
        world.clock.advance(Duration.ofMillis(1));

        assertThat(world.worker().reapLostJobs()).isEqualTo(1);

        BuildView b = build(ws);
        assertThat(b.status()).isEqualTo("failed");
        assertThat(b.errorCode()).isEqualTo("callback_timeout");
        assertThat(b.error()).contains("no callback came within 30m").contains("create-timeout");
        assertThat(world.store.phaseOf(ws)).contains(Phase.FAILED);
        FailureState state = world.store.failureState(preset);
        assertThat(state.consecutiveFailures()).isEqualTo(1);
        assertThat(state.retryNotBefore()).isEqualTo(T0.plus(CREATE_TIMEOUT).plus(World.INTERVAL));
        assertThat(world.events.types()).endsWith(EventType.CREATE_FAILED, EventType.BACKOFF);
        assertThat(world.metrics.awaitedJobsFinished()).extracting(JobFinished::outcome).containsExactly("timed_out");
        // a callback after the deadline is too late
        assertThatThrownBy(() -> callbacks.complete(callback(job))).isInstanceOf(ConflictException.class);
        assertThat(world.worker().reapLostJobs()).isZero();
    }

    @Test
    void givenASecondCallback_itIsAConflictAndChangesNothing() {
        WorkspaceId ws = queueCreate(1);
        JobId job = acceptedCreate(ws);
        callbacks.complete(callback(job));
        verdict = new BuildCallbackPort.Verified(new ProvisionResult.Failed("replayed", false, ""));

        assertThatThrownBy(() -> callbacks.complete(callback(job))).isInstanceOf(ConflictException.class);

        assertThat(world.store.phaseOf(ws)).contains(Phase.RUNNING);
        assertThat(world.store.failureState(preset).consecutiveFailures()).isZero();
    }

    @Test
    void givenARejectedOrMalformedCallback_nothingAboutTheBuildIsTouched() {
        WorkspaceId ws = queueCreate(1);
        JobId job = acceptedCreate(ws);

        verdict = new BuildCallbackPort.Rejected("bad signature");
        assertThatThrownBy(() -> callbacks.complete(callback(job))).isInstanceOf(CallbackRejectedException.class)
                .hasMessage("bad signature");
        assertThatThrownBy(() -> callbacks.complete(new Callback(987_654, new byte[0], null, null)))
                .as("rejected before the build is looked up: an unauthenticated caller learns nothing")
                .isInstanceOf(CallbackRejectedException.class);
        verdict = new BuildCallbackPort.Malformed("body is not a JSON object");
        assertThatThrownBy(() -> callbacks.complete(callback(job))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JSON object");

        assertThat(build(ws).status()).isEqualTo("running");
        assertThat(world.store.overdueCallbacks(T0.plus(CREATE_TIMEOUT), 10)).extracting(BuildQueuePort.AwaitedJob::id)
                .containsExactly(job);
    }

    @Test
    void givenAnUnknownBuildOrOneStillHeldByItsWorker_theCallbackIsRefused() {
        queueCreate(1);
        world.startStep(new Worker("replica-1/w2")); // the provisioner has not answered yet
        JobId held = world.store.jobs(Transition.CREATE, "running").get(0).id();

        assertThatThrownBy(() -> callbacks.complete(callback(new JobId(987_654))))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> callbacks.complete(callback(held)))
                .isInstanceOf(BuildQueuePort.NotYetAwaitingException.class);
    }
}
