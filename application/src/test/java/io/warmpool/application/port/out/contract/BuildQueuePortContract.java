package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static io.warmpool.application.port.out.contract.PortSeed.creates;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.BuildQueuePort.JobNotHeldException;
import io.warmpool.application.port.out.BuildQueuePort.LostJob;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.FailedPrebuild;
import io.warmpool.domain.plan.Prebuild;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link BuildQueuePort}, observed through the read ports ({@link WorkspacePort} for workspaces
 * and builds, the snapshot for failure states and prebuilds). Run on every implementation by a subclass.
 */
public abstract class BuildQueuePortContract extends PortContract {

    protected static final Instant NOW = T0.plusSeconds(3600);
    protected static final WorkerId W1 = new WorkerId("host-a/w1");
    protected static final WorkerId W2 = new WorkerId("host-b/w1");
    protected static final Map<String, String> PARAMETERS = Map.of("cpu", "2", "memory", "4Gi");

    private BuildQueuePort queue;
    private PresetId small;
    private PresetId large;

    @BeforeEach
    void presets() {
        queue = store.queue();
        small = seed.preset("python-dev", "small", PARAMETERS);
        large = seed.preset("rust-dev", "large", Map.of("cpu", "8"));
    }

    // ---------------------------------------------------------------- helpers

    private WorkspaceId enqueueOneCreate(PresetId preset, Instant at) {
        return seed.startingPrebuild(preset, at);
    }

    /** The failure change of a failed create in tests (the real policy is the domain's, tested there). */
    private static Function<FailureState, FailureTransition> countFailure(Instant now) {
        return s -> new FailureTransition(s, new FailureState(s.consecutiveFailures() + 1, now, now.plusSeconds(60),
                PresetStatus.HEALTHY));
    }

    private static Function<FailureState, FailureTransition> clearFailures() {
        return s -> new FailureTransition(s, FailureState.initial());
    }

    private static Function<FailureState, FailureTransition> mustNotBeCalled(AtomicBoolean called) {
        return s -> {
            called.set(true);
            return new FailureTransition(s, s);
        };
    }

    private Job acquire(WorkerId worker, Instant at) {
        return queue.acquire(worker, at).orElseThrow(() -> new AssertionError("expected a job"));
    }

    /** A running create (enqueued and taken at {@link #NOW}) and its workspace. */
    private Job runningCreate(WorkerId worker) {
        enqueueOneCreate(small, NOW);
        return acquire(worker, NOW);
    }

    private Phase phase(WorkspaceId id) {
        return seed.workspace(id).phase();
    }

    // ---------------------------------------------------------------- enqueueCreates

    @Test
    void givenCreates_enqueueStoresStartingPrebuildsWithPendingCreates() {
        List<CreateRequest> batch = new ArrayList<>(creates(small, 2));
        batch.addAll(creates(large, 1));

        queue.enqueueCreates(batch, NOW);

        for (CreateRequest c : batch) {
            WorkspaceView ws = seed.workspace(c.workspace());
            assertThat(ws.owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
            assertThat(ws.claimed()).isFalse();
            assertThat(ws.name()).isEqualTo(c.name());
            assertThat(ws.phase()).isEqualTo(Phase.STARTING);
            assertThat(ws.createdAt()).isEqualTo(NOW);
            assertThat(ws.claimedAt()).isNull();
            assertThat(ws.preset()).isEqualTo(c.preset());
            List<BuildView> builds = seed.builds(c.workspace());
            assertThat(builds).hasSize(1);
            BuildView b = builds.get(0);
            assertThat(b.transition()).isEqualTo(Transition.CREATE);
            assertThat(b.status()).isEqualTo("pending");
            assertThat(b.createdAt()).isEqualTo(NOW);
            assertThat(b.startedAt()).isNull();
            assertThat(b.reason()).isEqualTo("DESIRED");
            assertThat(b.attempt()).isZero();
        }
        assertThat(store.snapshots().load(Scope.ALL)
                .queuedCreates()).isEqualTo(3);
    }

    @Test
    void givenAnUnknownPresetInTheBatch_enqueueThrowsNotFoundAndStoresNothing() {
        PresetId unknown = new PresetId("python-dev", "v1", "huge");
        List<CreateRequest> batch = new ArrayList<>(creates(small, 3));
        batch.addAll(creates(unknown, 1));

        assertThatThrownBy(() -> queue.enqueueCreates(batch, NOW))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(unknown.toString());
        assertThat(seed.allWorkspaces()).isEmpty();
        assertThat(queue.acquire(W1, NOW)).isEmpty();
    }

    @Test
    void givenNamesWithQuotesCommasAndBraces_enqueueStoresThemExactly() {
        List<String> names = List.of("a,b", "q\"uote", "{brace}", "back\\slash", "NULL", "", " spaced ", "ünï");
        List<CreateRequest> batch = new ArrayList<>();
        for (String name : names) {
            batch.add(new CreateRequest(new WorkspaceId(UUID.randomUUID()), name, small));
        }

        queue.enqueueCreates(batch, NOW);

        assertThat(batch).allSatisfy(c -> assertThat(seed.workspace(c.workspace()).name()).isEqualTo(c.name()));
    }

    // ---------------------------------------------------------------- enqueueDeletes

    // ---------------------------------------------------------------- pendingByKind

    @Test
    void givenAnEmptyQueue_pendingByKindIsZeroForCreateAndDelete() {
        assertThat(queue.pendingByKind()).containsExactlyInAnyOrderEntriesOf(Map.of(Transition.CREATE, 0, Transition.DELETE, 0));
    }

    @Test
    void givenPendingAndTakenJobs_pendingByKindCountsOnlyThePendingOnes_ofEveryPreset() {
        queue.enqueueCreates(creates(small, 2), NOW);
        queue.enqueueCreates(creates(large, 1), NOW);
        WorkspaceId running = seed.runningPrebuild(small, T0, Map.of());
        queue.enqueueDeletes(List.of(new DeleteRequest(running, small, DeleteRequest.Reason.EXTRANEOUS)), NOW);

        assertThat(queue.pendingByKind()).containsExactlyInAnyOrderEntriesOf(Map.of(Transition.CREATE, 3, Transition.DELETE, 1));

        acquire(W1, NOW); // the delete, taken first
        acquire(W2, NOW); // a create

        assertThat(queue.pendingByKind()).containsExactlyInAnyOrderEntriesOf(Map.of(Transition.CREATE, 2, Transition.DELETE, 0));
    }

    @Test
    void givenRunningAndFailedPrebuilds_enqueueAddsPendingDeletesAndMarksThemDeleting() {
        WorkspaceId running = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId failed = seed.failedPrebuild(small, T0.plusSeconds(1));

        int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(running, small, DeleteRequest.Reason.EXPIRED),
                new DeleteRequest(failed, small, DeleteRequest.Reason.FAILED_CLEANUP)), NOW);

        assertThat(enqueued).isEqualTo(2);
        for (var expected : Map.of(running, "EXPIRED", failed, "FAILED_CLEANUP").entrySet()) {
            assertThat(phase(expected.getKey())).isEqualTo(Phase.DELETING);
            BuildView delete = seed.builds(expected.getKey()).get(1);
            assertThat(delete.transition()).isEqualTo(Transition.DELETE);
            assertThat(delete.status()).isEqualTo("pending");
            assertThat(delete.reason()).isEqualTo(expected.getValue());
            assertThat(delete.createdAt()).isEqualTo(NOW);
            assertThat(delete.attempt()).isZero();
        }
        assertThat(seed.snapshot(small).inFlight().deleting()).isEqualTo(2);
    }

    @Test
    void givenADeleteAlreadyPendingOrRunning_enqueueingAgainIsSkipped() {
        WorkspaceId pending = seed.runningPrebuild(small, T0, Map.of());
        WorkspaceId running = seed.runningPrebuild(small, T0.plusSeconds(1), Map.of());
        queue.enqueueDeletes(List.of(new DeleteRequest(running, small, DeleteRequest.Reason.EXTRANEOUS)), NOW);
        acquire(W1, NOW);
        queue.enqueueDeletes(List.of(new DeleteRequest(pending, small, DeleteRequest.Reason.EXTRANEOUS)), NOW);

        int again = queue.enqueueDeletes(List.of(new DeleteRequest(pending, small, DeleteRequest.Reason.EXTRANEOUS),
                new DeleteRequest(running, small, DeleteRequest.Reason.EXTRANEOUS)), NOW.plusSeconds(1));

        assertThat(again).isZero();
        assertThat(seed.builds(pending)).hasSize(2);
        assertThat(seed.builds(running)).hasSize(2);
    }

    @Test
    void givenTheSameWorkspaceTwiceInOneBatch_oneDeleteIsEnqueued() {
        WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of());

        int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, DeleteRequest.Reason.EXPIRED),
                new DeleteRequest(ws, small, DeleteRequest.Reason.EXTRANEOUS)), NOW);

        assertThat(enqueued).isEqualTo(1);
        assertThat(seed.builds(ws)).extracting(BuildView::reason).containsExactly("DESIRED", "EXPIRED");
    }

    @Test
    void givenGoneDeletedOrStartingWorkspaces_enqueueSkipsThem() {
        WorkspaceId deleted = seed.deletedPrebuild(small, T0, T0.plusSeconds(60));
        WorkspaceId starting = enqueueOneCreate(small, NOW);
        WorkspaceId unknown = new WorkspaceId(UUID.randomUUID());

        int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(deleted, small, DeleteRequest.Reason.EXPIRED),
                new DeleteRequest(starting, small, DeleteRequest.Reason.EXTRANEOUS), new DeleteRequest(unknown, small, DeleteRequest.Reason.EXPIRED)), NOW);

        assertThat(enqueued).isZero();
        assertThat(phase(deleted)).isEqualTo(Phase.DELETED);
        assertThat(seed.builds(deleted)).hasSize(2);
        assertThat(phase(starting)).isEqualTo(Phase.STARTING);
        assertThat(seed.builds(starting)).extracting(BuildView::transition).containsExactly(Transition.CREATE);
        assertThat(store.workspaces().find(unknown)).isEmpty();
    }

    @Test
    void givenAClaimedWorkspace_releaseEnqueuesItsDelete() {
        WorkspaceId claimed = seed.claimed(small, "alice", T0, T0.plusSeconds(60), Map.of("url", "https://x"));

        int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(claimed, small, DeleteRequest.Reason.RELEASED)), NOW);

        assertThat(enqueued).isEqualTo(1);
        assertThat(phase(claimed)).isEqualTo(Phase.DELETING);
        Job job = acquire(W1, NOW);
        assertThat(job.transition()).isEqualTo(Transition.DELETE);
        assertThat(job.workspace()).isEqualTo(claimed);
        assertThat(job.owner()).isEqualTo("alice");
        assertThat(job.workspaceName()).isEqualTo("alice-dev");
        assertThat(job.outputs()).containsEntry("url", "https://x");
    }

    @Test
    void givenAPrebuildClaimedAfterThePlanWasMade_thePlansDeleteSkipsIt() {
        // The pass planned to delete a prebuild; a user claimed it before the delete was enqueued.
        WorkspaceId claimedMeanwhile = seed.claimed(small, "alice", T0, T0.plusSeconds(60), Map.of());
        WorkspaceId prebuild = seed.runningPrebuild(small, T0.plusSeconds(1), Map.of());

        int planned = queue.enqueueDeletes(List.of(new DeleteRequest(claimedMeanwhile, small, DeleteRequest.Reason.EXTRANEOUS)), NOW);
        int releasedPrebuild = queue.enqueueDeletes(List.of(new DeleteRequest(prebuild, small, DeleteRequest.Reason.RELEASED)), NOW);

        assertThat(planned).isZero();
        assertThat(releasedPrebuild).isZero();
        assertThat(phase(claimedMeanwhile)).isEqualTo(Phase.RUNNING);
        assertThat(phase(prebuild)).isEqualTo(Phase.RUNNING);
    }

    // ---------------------------------------------------------------- cancelQueuedCreates

    @Test
    void givenPendingAndTakenCreates_cancelCancelsOnlyThePendingOnesOfThosePresets() {
        WorkspaceId toDelete = seed.runningPrebuild(small, T0, Map.of());
        List<CreateRequest> smallCreates = creates(small, 3);
        queue.enqueueCreates(smallCreates, NOW);
        Job taken = acquire(W1, NOW);
        WorkspaceId otherPreset = enqueueOneCreate(large, NOW);
        queue.enqueueDeletes(List.of(new DeleteRequest(toDelete, small, DeleteRequest.Reason.INACTIVE)), NOW);
        Instant later = NOW.plusSeconds(5);

        int canceled = queue.cancelQueuedCreates(Set.of(small), later);

        assertThat(canceled).isEqualTo(2);
        for (CreateRequest c : smallCreates) {
            BuildView build = seed.builds(c.workspace()).get(0);
            if (c.workspace().equals(taken.workspace())) {
                assertThat(build.status()).isEqualTo("running");
                assertThat(phase(c.workspace())).isEqualTo(Phase.STARTING);
            } else {
                // Never provisioned: marked deleted, kept for history.
                assertThat(build.status()).isEqualTo("canceled");
                assertThat(build.finishedAt()).isEqualTo(later);
                assertThat(phase(c.workspace())).isEqualTo(Phase.DELETED);
            }
        }
        assertThat(seed.builds(otherPreset).get(0).status()).isEqualTo("pending");
        assertThat(seed.builds(toDelete).get(1).status()).isEqualTo("pending");
        assertThat(phase(toDelete)).isEqualTo(Phase.DELETING);
        assertThat(seed.snapshot(small).inFlight().starting()).isEqualTo(1);
    }

    @Test
    void givenNothingQueuedOrAnUnknownPreset_cancelCancelsNothing() {
        assertThat(queue.cancelQueuedCreates(Set.of(small, new PresetId("nope", "v1", "x")), NOW)).isZero();
        assertThat(queue.cancelQueuedCreates(Set.of(), NOW)).isZero();
    }

    // ---------------------------------------------------------------- acquire

    @Test
    void givenNoPendingJob_acquireFindsNothing() {
        assertThat(queue.acquire(W1, NOW)).isEmpty();
    }

    @Test
    void givenPendingDeleteAndCreate_acquireTakesTheDeleteFirst() {
        WorkspaceId ready = seed.runningPrebuild(small, T0, Map.of("host", "h1"));
        WorkspaceId create = enqueueOneCreate(small, NOW);
        queue.enqueueDeletes(List.of(new DeleteRequest(ready, small, DeleteRequest.Reason.EXPIRED)), NOW.plusSeconds(1));

        Job first = acquire(W1, NOW.plusSeconds(2));
        Job second = acquire(W1, NOW.plusSeconds(2));

        assertThat(first.transition()).isEqualTo(Transition.DELETE);
        assertThat(first.workspace()).isEqualTo(ready);
        assertThat(first.outputs()).containsOnly(Map.entry("host", "h1"));
        assertThat(second.transition()).isEqualTo(Transition.CREATE);
        assertThat(second.workspace()).isEqualTo(create);
        assertThat(queue.acquire(W1, NOW.plusSeconds(2))).isEmpty();
    }

    @Test
    void givenSeveralCreates_acquireTakesTheOldestFirst() {
        List<CreateRequest> batch = creates(small, 3);
        queue.enqueueCreates(batch.subList(0, 1), NOW);
        queue.enqueueCreates(batch.subList(1, 3), NOW.plusSeconds(1));

        List<WorkspaceId> taken = List.of(acquire(W1, NOW.plusSeconds(2)).workspace(),
                acquire(W1, NOW.plusSeconds(2)).workspace(), acquire(W1, NOW.plusSeconds(2)).workspace());

        assertThat(taken).containsExactly(batch.get(0).workspace(), batch.get(1).workspace(), batch.get(2).workspace());
    }

    @Test
    void givenACreate_acquireMarksItRunningAndReturnsWhatTheProvisionerNeeds() {
        CreateRequest create = creates(small, 1).get(0);
        queue.enqueueCreates(List.of(create), NOW);
        Instant takenAt = NOW.plusSeconds(10).plusMillis(123);

        Job job = acquire(W1, takenAt);

        assertThat(job.transition()).isEqualTo(Transition.CREATE);
        assertThat(job.workspace()).isEqualTo(create.workspace());
        assertThat(job.workspaceName()).isEqualTo(create.name());
        assertThat(job.owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
        assertThat(job.preset()).isEqualTo(small);
        assertThat(job.parameters()).isEqualTo(PARAMETERS);
        assertThat(job.outputs()).isEmpty();
        assertThat(job.attempt()).isEqualTo(1);
        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("running");
        assertThat(build.startedAt()).isEqualTo(takenAt);
        assertThat(build.attempt()).isEqualTo(1);
        assertThat(phase(job.workspace())).isEqualTo(Phase.STARTING);
        assertThat(store.snapshots().load(Scope.ALL)
                .queuedCreates()).isZero();
    }

    @Test
    void givenAJobWhoseNotBeforeHasNotPassed_acquireWaitsUntilThen() {
        Job job = runningCreate(W1);
        Instant notBefore = NOW.plusSeconds(30);
        queue.release(job.id(), W1, "circuit open", notBefore, NOW);

        Optional<Job> early = queue.acquire(W2, notBefore.minusMillis(1));
        Optional<Job> onTime = queue.acquire(W2, notBefore);

        assertThat(early).isEmpty();
        assertThat(onTime).get().extracting(Job::id).isEqualTo(job.id());
    }

    // ---------------------------------------------------------------- heartbeat

    @Test
    void givenAHeldJob_heartbeatRecordsNow() {
        Job job = runningCreate(W1);

        boolean held = queue.heartbeat(job.id(), W1, NOW.plusSeconds(15));

        assertThat(held).isTrue();
        // The heartbeat moved to NOW + 15 s: a bound before it keeps the job, a bound at it reaps it.
        assertThat(queue.reapLost(NOW.plusSeconds(14), NOW.plusSeconds(100))).isEmpty();
        assertThat(queue.reapLost(NOW.plusSeconds(15), NOW.plusSeconds(100))).extracting(LostJob::id)
                .containsExactly(job.id());
    }

    @Test
    void givenAnotherWorkersOrAFinishedJob_heartbeatIsRefusedAndChangesNothing() {
        Job job = runningCreate(W1);

        assertThat(queue.heartbeat(job.id(), W2, NOW.plusSeconds(15))).isFalse();

        queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(20), clearFailures());
        BuildView finished = seed.build(job);
        assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(25))).isFalse();
        assertThat(seed.build(job)).isEqualTo(finished);

        // W2's refused heartbeat did not move another worker's job's heartbeat either.
        Job other = runningCreate(W1);
        assertThat(queue.heartbeat(other.id(), W2, NOW.plusSeconds(15))).isFalse();
        assertThat(queue.reapLost(NOW.plusSeconds(14), NOW.plusSeconds(30))).extracting(LostJob::id)
                .containsExactly(other.id());
    }

    @Test
    void givenAReapedJob_heartbeatTellsTheWorkerItLostTheJob() {
        Job job = runningCreate(W1);
        queue.reapLost(NOW, NOW.plusSeconds(90));

        assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(91))).isFalse();
    }

    // ---------------------------------------------------------------- complete

    @Test
    void givenASucceededCreate_completeMakesThePrebuildRunningAndAppliesTheFailureChange() {
        Job job = runningCreate(W1);
        FailureState twoFailures = new FailureState(2, T0, T0.plusSeconds(60), PresetStatus.HEALTHY);
        seed.failureState(small, twoFailures);
        Instant done = NOW.plusSeconds(42);

        Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                new JobResult.Succeeded(Map.of("url", "https://ws-1", "host", "h1"), "created\n"), done, clearFailures());

        assertThat(transition).get().satisfies(t -> {
            assertThat(t.before()).isEqualTo(twoFailures);
            assertThat(t.after()).isEqualTo(FailureState.initial());
        });
        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("succeeded");
        assertThat(build.finishedAt()).isEqualTo(done);
        assertThat(build.log()).isEqualTo("created\n");
        assertThat(build.errorCode()).isNull();
        assertThat(build.error()).isNull();
        WorkspaceView ws = seed.workspace(job.workspace());
        assertThat(ws.phase()).isEqualTo(Phase.RUNNING);
        assertThat(ws.createdAt()).as("a workspace's creation is its enqueueing, not its readiness").isEqualTo(NOW);
        assertThat(ws.outputs()).containsOnly(Map.entry("url", "https://ws-1"), Map.entry("host", "h1"));
        assertThat(seed.snapshot(small).running()).containsExactly(new Prebuild(job.workspace(), NOW));
        assertThat(seed.failureState(small)).isEqualTo(FailureState.initial());
    }

    @Test
    void givenAFailedCreate_completeFailsThePrebuildAndCountsTheFailure() {
        Job job = runningCreate(W1);
        Instant done = NOW.plusSeconds(42);

        Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                new JobResult.Failed("permanent", "bad parameter cpu", true, "boom"), done, countFailure(done));

        assertThat(transition).get().extracting(t -> t.after().consecutiveFailures()).isEqualTo(1);
        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("failed");
        assertThat(build.finishedAt()).isEqualTo(done);
        assertThat(build.errorCode()).isEqualTo("permanent");
        assertThat(build.error()).isEqualTo("bad parameter cpu");
        assertThat(build.log()).isEqualTo("boom");
        assertThat(phase(job.workspace())).isEqualTo(Phase.FAILED);
        assertThat(seed.snapshot(small).failed()).containsExactly(new FailedPrebuild(job.workspace(), NOW, done));
        FailureState state = seed.failureState(small);
        assertThat(state.consecutiveFailures()).isEqualTo(1);
        assertThat(state.lastFailureAt()).isEqualTo(done);
        assertThat(state.retryNotBefore()).isEqualTo(done.plusSeconds(60));
    }

    @Test
    void givenASucceededDelete_completeMarksTheWorkspaceDeletedAndLeavesTheFailureStateAlone() {
        WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of("url", "u"));
        queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, DeleteRequest.Reason.EXPIRED)), NOW);
        Job job = acquire(W1, NOW);
        seed.failureState(small, new FailureState(1, T0, T0.plusSeconds(60), PresetStatus.HEALTHY));
        FailureState stateBefore = seed.failureState(small);
        AtomicBoolean called = new AtomicBoolean();

        Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                new JobResult.Succeeded(Map.of(), "deleted"), NOW.plusSeconds(3), mustNotBeCalled(called));

        assertThat(transition).isEmpty();
        assertThat(called).isFalse();
        assertThat(seed.failureState(small)).isEqualTo(stateBefore);
        WorkspaceView row = seed.workspace(ws);
        assertThat(row.phase()).isEqualTo(Phase.DELETED);
        assertThat(row.outputs()).containsEntry("url", "u");
        assertThat(seed.build(job).status()).isEqualTo("succeeded");
        assertThat(seed.build(job).finishedAt()).isEqualTo(NOW.plusSeconds(3));
        assertThat(seed.snapshot(small).running()).isEmpty();
        assertThat(seed.snapshot(small).inFlight().deleting()).isZero();
    }

    @Test
    void givenAFailedDelete_completeFailsTheWorkspaceSoThatItIsCleanedUpAgain() {
        WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of());
        queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, DeleteRequest.Reason.EXPIRED)), NOW);
        Job job = acquire(W1, NOW);
        AtomicBoolean called = new AtomicBoolean();

        Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                new JobResult.Failed("failed", "cannot reach host", false, ""), NOW.plusSeconds(3), mustNotBeCalled(called));

        assertThat(transition).isEmpty();
        assertThat(called).isFalse();
        assertThat(phase(ws)).isEqualTo(Phase.FAILED);
        assertThat(seed.snapshot(small).failed()).extracting(FailedPrebuild::id).containsExactly(ws);
        assertThat(seed.failureState(small)).isEqualTo(FailureState.initial());
        assertThat(queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, DeleteRequest.Reason.FAILED_CLEANUP)), NOW.plusSeconds(4)))
                .isEqualTo(1);
    }

    @Test
    void givenTheWrongWorker_completeThrowsJobNotHeldAndChangesNothing() {
        Job job = runningCreate(W1);
        List<BuildView> buildsBefore = seed.builds(job.workspace());
        WorkspaceView wsBefore = seed.workspace(job.workspace());
        FailureState stateBefore = seed.failureState(small);

        assertThatThrownBy(() -> queue.complete(job.id(), W2, new JobResult.Failed("failed", "x", false, ""),
                NOW.plusSeconds(5), countFailure(NOW.plusSeconds(5))))
                .isInstanceOf(JobNotHeldException.class)
                .hasMessageContaining(W2.value());

        assertThat(seed.builds(job.workspace())).isEqualTo(buildsBefore);
        assertThat(seed.workspace(job.workspace())).isEqualTo(wsBefore);
        assertThat(seed.failureState(small)).isEqualTo(stateBefore);
    }

    @Test
    void givenAReapedJob_completeThrowsJobNotHeldAndChangesNothing() {
        Job job = runningCreate(W1);
        queue.reapLost(NOW, NOW.plusSeconds(61));
        List<BuildView> buildsBefore = seed.builds(job.workspace());
        WorkspaceView wsBefore = seed.workspace(job.workspace());
        FailureState stateBefore = seed.failureState(small);

        assertThatThrownBy(() -> queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of("url", "u"), ""),
                NOW.plusSeconds(70), clearFailures()))
                .isInstanceOf(JobNotHeldException.class);

        assertThat(seed.builds(job.workspace())).isEqualTo(buildsBefore);
        assertThat(seed.workspace(job.workspace())).isEqualTo(wsBefore);
        assertThat(seed.failureState(small)).isEqualTo(stateBefore);
    }

    @Test
    void givenAFailureChangeThatThrows_completeRollsEverythingBack() {
        Job job = runningCreate(W1);
        BuildView buildBefore = seed.build(job);

        assertThatThrownBy(() -> queue.complete(job.id(), W1, new JobResult.Failed("failed", "x", false, ""),
                NOW.plusSeconds(5), s -> {
                    throw new IllegalStateException("policy broke");
                }))
                .isInstanceOf(IllegalStateException.class);

        assertThat(seed.build(job)).isEqualTo(buildBefore);
        assertThat(phase(job.workspace())).isEqualTo(Phase.STARTING);
        assertThat(seed.failureState(small)).isEqualTo(FailureState.initial());
    }

    // ---------------------------------------------------------------- release

    @Test
    void givenAHeldJob_releasePutsItBackAndTheNextTakeCountsAnotherAttempt() {
        Job job = runningCreate(W1);
        Instant notBefore = NOW.plusSeconds(30);

        queue.release(job.id(), W1, "provisioner circuit open", notBefore, NOW.plusSeconds(1));

        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("pending");
        assertThat(build.errorCode()).isEqualTo("unavailable");
        assertThat(build.error()).isEqualTo("provisioner circuit open");
        assertThat(phase(job.workspace())).isEqualTo(Phase.STARTING);
        assertThat(seed.failureState(small).consecutiveFailures()).isZero();

        Job again = acquire(W2, notBefore);

        assertThat(again.id()).isEqualTo(job.id());
        assertThat(again.attempt()).isEqualTo(2);
        queue.complete(again.id(), W2, new JobResult.Succeeded(Map.of(), ""), notBefore.plusSeconds(1), clearFailures());
        assertThat(seed.build(job)).satisfies(b -> {
            assertThat(b.errorCode()).isNull();
            assertThat(b.error()).isNull();
            assertThat(b.attempt()).isEqualTo(2);
        });
    }

    @Test
    void givenTheWrongWorker_releaseThrowsJobNotHeldAndChangesNothing() {
        Job job = runningCreate(W1);
        BuildView before = seed.build(job);

        assertThatThrownBy(() -> queue.release(job.id(), W2, "x", NOW.plusSeconds(30), NOW))
                .isInstanceOf(JobNotHeldException.class);

        assertThat(seed.build(job)).isEqualTo(before);
        assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(1))).isTrue();
    }

    // ---------------------------------------------------------------- reapLost

    @Test
    void givenStaleAndFreshJobs_reapFailsOnlyTheStaleOnesAsWorkerLost() {
        WorkspaceId ready = seed.runningPrebuild(large, T0, Map.of());
        queue.enqueueDeletes(List.of(new DeleteRequest(ready, large, DeleteRequest.Reason.EXPIRED)), NOW);
        Job staleDelete = acquire(W1, NOW);
        Job staleCreate = runningCreate(W1);
        Job fresh = runningCreate(W2);
        queue.heartbeat(fresh.id(), W2, NOW.plusSeconds(30));
        FailureState smallBefore = seed.failureState(small);
        Instant bound = NOW; // heartbeats at or before the bound are lost
        Instant reapedAt = NOW.plusSeconds(60);

        List<LostJob> lost = queue.reapLost(bound, reapedAt);

        assertThat(lost).containsExactlyInAnyOrder(
                new LostJob(staleDelete.id(), Transition.DELETE, large, ready),
                new LostJob(staleCreate.id(), Transition.CREATE, small, staleCreate.workspace()));
        for (Job job : List.of(staleDelete, staleCreate)) {
            BuildView build = seed.build(job);
            assertThat(build.status()).isEqualTo("failed");
            assertThat(build.errorCode()).isEqualTo("worker_lost");
            assertThat(build.finishedAt()).isEqualTo(reapedAt);
            assertThat(phase(job.workspace())).isEqualTo(Phase.FAILED);
        }
        assertThat(seed.build(fresh).status()).isEqualTo("running");
        assertThat(seed.failureState(small)).isEqualTo(smallBefore);
        assertThat(queue.reapLost(bound, reapedAt)).isEmpty();
    }

    // ---------------------------------------------------------------- builds awaiting a callback

    @Test
    void givenAnAcceptedCreate_itStaysRunningIsNeverReapedAsLostAndIsOverdueOnlyAtItsDeadline() {
        Job job = runningCreate(W1);
        Instant until = NOW.plusSeconds(600);

        queue.awaitCallback(job.id(), W1, until, NOW.plusSeconds(1));

        assertThat(seed.build(job).status()).isEqualTo("running");
        assertThat(phase(job.workspace())).isEqualTo(Phase.STARTING);
        assertThat(queue.reapLost(NOW.plusSeconds(500), NOW.plusSeconds(560)))
                .as("no worker heartbeats it, yet it is not lost").isEmpty();
        assertThat(seed.build(job).status()).isEqualTo("running");
        assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(2))).as("still recorded as taken by W1").isTrue();
        assertThat(queue.overdueCallbacks(until.minusMillis(1), 10)).isEmpty();
        assertThat(queue.overdueCallbacks(until, 10)).containsExactly(
                new BuildQueuePort.AwaitedJob(job.id(), Transition.CREATE, small, job.workspace(), NOW, until));
        assertThat(queue.acquire(W2, until)).as("a worker never takes it again").isEmpty();
    }

    @Test
    void givenSeveralOverdueBuilds_overdueListsTheEarliestDeadlineFirstUpToTheLimit() {
        Job first = runningCreate(W1);
        Job second = runningCreate(W2);
        queue.awaitCallback(second.id(), W2, NOW.plusSeconds(10), NOW);
        queue.awaitCallback(first.id(), W1, NOW.plusSeconds(20), NOW);

        assertThat(queue.overdueCallbacks(NOW.plusSeconds(30), 10)).extracting(BuildQueuePort.AwaitedJob::id)
                .containsExactly(second.id(), first.id());
        assertThat(queue.overdueCallbacks(NOW.plusSeconds(30), 1)).extracting(BuildQueuePort.AwaitedJob::id)
                .containsExactly(second.id());
    }

    @Test
    void givenTheWrongWorkerOrAFinishedJob_awaitCallbackThrowsJobNotHeldAndChangesNothing() {
        Job job = runningCreate(W1);

        assertThatThrownBy(() -> queue.awaitCallback(job.id(), W2, NOW.plusSeconds(60), NOW))
                .isInstanceOf(JobNotHeldException.class);
        assertThat(queue.overdueCallbacks(NOW.plusSeconds(3600), 10)).isEmpty();
        queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of(), ""), NOW, clearFailures());
        assertThatThrownBy(() -> queue.awaitCallback(job.id(), W1, NOW.plusSeconds(60), NOW))
                .isInstanceOf(JobNotHeldException.class);
    }

    @Test
    void givenASucceededCallback_completeAwaitedMakesThePrebuildRunningFromAnyReplicaAndAppliesTheFailureChange() {
        Job job = runningCreate(W1);
        FailureState twoFailures = new FailureState(2, T0, T0.plusSeconds(60), PresetStatus.HEALTHY);
        seed.failureState(small, twoFailures);
        Instant until = NOW.plusSeconds(600);
        queue.awaitCallback(job.id(), W1, until, NOW);
        assertThat(seed.build(job).awaitingCallbackUntil()).as("the read model shows the wait").isEqualTo(until);
        Instant done = NOW.plusSeconds(360);

        BuildQueuePort.AwaitedCompletion completion = queue.completeAwaited(job.id(),
                new JobResult.Succeeded(Map.of("url", "https://vm-1"), "booted\n"), done, clearFailures());

        assertThat(completion.job()).isEqualTo(
                new BuildQueuePort.AwaitedJob(job.id(), Transition.CREATE, small, job.workspace(), NOW, until));
        assertThat(completion.failure()).get().satisfies(t -> {
            assertThat(t.before()).isEqualTo(twoFailures);
            assertThat(t.after()).isEqualTo(FailureState.initial());
        });
        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("succeeded");
        assertThat(build.finishedAt()).isEqualTo(done);
        assertThat(build.log()).isEqualTo("booted\n");
        assertThat(build.awaitingCallbackUntil()).as("ended: no longer awaiting").isNull();
        WorkspaceView ws = seed.workspace(job.workspace());
        assertThat(ws.phase()).isEqualTo(Phase.RUNNING);
        assertThat(ws.outputs()).containsOnly(Map.entry("url", "https://vm-1"));
        assertThat(seed.failureState(small)).isEqualTo(FailureState.initial());
        assertThat(queue.overdueCallbacks(until, 10)).as("finished: no longer awaited").isEmpty();
    }

    @Test
    void givenReadiness_aSucceededCallbackLeavesTheCreateProvisioned_andRecordsNoR3SuccessYet() {
        // R10 holds whoever reports the create's end: the worker or, after a 202, the callback.
        PresetId ready = seed.preset("node-dev", "ready", new io.warmpool.domain.PrebuildPolicy(3, java.time.Duration.ZERO,
                io.warmpool.domain.schedule.PrebuildSchedule.none(),
                new io.warmpool.domain.Readiness(io.warmpool.domain.Readiness.Check.PROVISIONER,
                        java.time.Duration.ofMinutes(10)), null));
        FailureState twoFailures = new FailureState(2, T0, T0.plusSeconds(60), PresetStatus.HEALTHY);
        seed.failureState(ready, twoFailures);
        enqueueOneCreate(ready, NOW);
        Job job = acquire(W1, NOW);
        queue.awaitCallback(job.id(), W1, NOW.plusSeconds(600), NOW);

        BuildQueuePort.AwaitedCompletion completion = queue.completeAwaited(job.id(),
                new JobResult.Succeeded(Map.of("url", "https://vm-1"), ""), NOW.plusSeconds(60), clearFailures());

        assertThat(completion.failure()).as("the R3 success comes when it becomes ready").isEmpty();
        assertThat(phase(job.workspace())).isEqualTo(Phase.PROVISIONED);
        assertThat(seed.failureState(ready)).isEqualTo(twoFailures);
    }

    @Test
    void givenAFailedCallbackOrTheDeadline_completeAwaitedFailsTheCreateAndCountsIt() {
        Job job = runningCreate(W1);
        queue.awaitCallback(job.id(), W1, NOW.plusSeconds(600), NOW);
        Instant done = NOW.plusSeconds(600);

        BuildQueuePort.AwaitedCompletion completion = queue.completeAwaited(job.id(),
                new JobResult.Failed("callback_timeout", "no callback within 10m", false, ""), done, countFailure(done));

        assertThat(completion.failure()).get().extracting(t -> t.after().consecutiveFailures()).isEqualTo(1);
        BuildView build = seed.build(job);
        assertThat(build.status()).isEqualTo("failed");
        assertThat(build.errorCode()).isEqualTo("callback_timeout");
        assertThat(build.error()).isEqualTo("no callback within 10m");
        assertThat(phase(job.workspace())).isEqualTo(Phase.FAILED);
        assertThat(seed.failureState(small).consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void givenAnAcceptedDelete_completeAwaitedDeletesTheWorkspaceAndLeavesTheFailureStateAlone() {
        WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of("url", "u"));
        queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, DeleteRequest.Reason.EXPIRED)), NOW);
        Job job = acquire(W1, NOW);
        queue.awaitCallback(job.id(), W1, NOW.plusSeconds(600), NOW);
        AtomicBoolean called = new AtomicBoolean();

        BuildQueuePort.AwaitedCompletion completion = queue.completeAwaited(job.id(),
                new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(5), mustNotBeCalled(called));

        assertThat(completion.failure()).isEmpty();
        assertThat(completion.job().transition()).isEqualTo(Transition.DELETE);
        assertThat(called).isFalse();
        assertThat(phase(ws)).isEqualTo(Phase.DELETED);
    }

    @Test
    void givenACompletedBuild_aSecondCompletionIsAConflictAndChangesNothing() {
        Job job = runningCreate(W1);
        queue.awaitCallback(job.id(), W1, NOW.plusSeconds(600), NOW);
        queue.completeAwaited(job.id(), new JobResult.Succeeded(Map.of("url", "a"), ""), NOW.plusSeconds(5),
                clearFailures());
        AtomicBoolean called = new AtomicBoolean();

        assertThatThrownBy(() -> queue.completeAwaited(job.id(), new JobResult.Failed("failed", "late", false, ""),
                NOW.plusSeconds(6), mustNotBeCalled(called)))
                .isInstanceOf(io.warmpool.application.port.out.ConflictException.class)
                .isNotInstanceOf(BuildQueuePort.NotYetAwaitingException.class);
        assertThat(called).isFalse();
        assertThat(seed.build(job).status()).isEqualTo("succeeded");
        assertThat(seed.workspace(job.workspace()).outputs()).containsOnly(Map.entry("url", "a"));
    }

    @Test
    void givenABuildThatNeverAwaitedOrStillHeldOrUnknown_completeAwaitedRefusesAndChangesNothing() {
        Job held = runningCreate(W1);
        enqueueOneCreate(small, NOW);
        Job finished = acquire(W2, NOW);
        queue.complete(finished.id(), W2, new JobResult.Succeeded(Map.of(), ""), NOW, clearFailures());
        AtomicBoolean called = new AtomicBoolean();
        JobResult ok = new JobResult.Succeeded(Map.of(), "");

        assertThatThrownBy(() -> queue.completeAwaited(held.id(), ok, NOW, mustNotBeCalled(called)))
                .isInstanceOf(BuildQueuePort.NotYetAwaitingException.class);
        assertThatThrownBy(() -> queue.completeAwaited(finished.id(), ok, NOW, mustNotBeCalled(called)))
                .isInstanceOf(io.warmpool.application.port.out.ConflictException.class)
                .isNotInstanceOf(BuildQueuePort.NotYetAwaitingException.class);
        assertThatThrownBy(() -> queue.completeAwaited(new io.warmpool.application.port.out.JobId(987_654_321L), ok,
                NOW, mustNotBeCalled(called))).isInstanceOf(NotFoundException.class);
        assertThat(called).isFalse();
        assertThat(seed.build(held).status()).isEqualTo("running");
        assertThat(queue.heartbeat(held.id(), W1, NOW.plusSeconds(1))).isTrue();
    }
}
