package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.records.BuildsRecord;
import io.warmpool.adapters.db.jooq.tables.records.PresetFailureStatesRecord;
import io.warmpool.adapters.db.jooq.tables.records.WorkspacesRecord;
import io.warmpool.application.port.out.BuildQueuePort.JobNotHeldException;
import io.warmpool.application.port.out.BuildQueuePort.LostJob;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link JooqBuildQueueAdapter} against the real (embedded) PostgreSQL with the migrations applied. */
class BuildQueueContractTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plusSeconds(3600);
    private static final WorkerId W1 = new WorkerId("host-a/w1");
    private static final WorkerId W2 = new WorkerId("host-b/w1");
    private static final Map<String, String> PARAMETERS = Map.of("cpu", "2", "memory", "4Gi");


    private Seed seed;
    private JooqBuildQueueAdapter queue;
    private PresetId small;
    private PresetId large;



    @BeforeEach
    void cleanState() {
        seed = new Seed(db);
        queue = new JooqBuildQueueAdapter(db.dsl(), new PresetIds());
        small = seed.preset("python-dev", "small", PARAMETERS);
        large = seed.preset("rust-dev", "large", Map.of("cpu", "8"));
    }

    // ---------------------------------------------------------------- helpers

    private static List<CreateRequest> creates(PresetId preset, int n) {
        List<CreateRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            UUID id = UUID.randomUUID();
            out.add(new CreateRequest(new WorkspaceId(id), "prebuild-" + id.toString().replace("-", ""), preset));
        }
        return out;
    }

    private WorkspaceId enqueueOneCreate(PresetId preset, Instant at) {
        CreateRequest create = creates(preset, 1).get(0);
        queue.enqueueCreates(List.of(create), at);
        return create.workspace();
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

    /** A running create and its workspace. */
    private Job runningCreate(WorkerId worker) {
        enqueueOneCreate(small, NOW);
        return acquire(worker, NOW);
    }

    /** Counts statements as jOOQ executes them. */
    private static final class StatementCounter implements ExecuteListener {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void executeStart(ExecuteContext ctx) {
            count.incrementAndGet();
        }
    }

    private static <T> List<T> runConcurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- enqueueCreates

    @Nested
    class EnqueueCreates {

        @Test
        void givenCreates_enqueueStoresStartingPrebuildsWithPendingCreates() {
            List<CreateRequest> batch = new ArrayList<>(creates(small, 2));
            batch.addAll(creates(large, 1));

            queue.enqueueCreates(batch, NOW);

            for (CreateRequest c : batch) {
                WorkspacesRecord ws = seed.workspace(c.workspace());
                assertThat(ws.getOwner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
                assertThat(ws.getName()).isEqualTo(c.name());
                assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.starting);
                assertThat(ws.getCreatedAt()).isEqualTo(NOW);
                assertThat(ws.getPresetId()).isEqualTo(seed.presetRow(c.preset()));
                List<BuildsRecord> builds = seed.builds(c.workspace());
                assertThat(builds).hasSize(1);
                BuildsRecord b = builds.get(0);
                assertThat(b.getTransition()).isEqualTo(BuildTransition.create);
                assertThat(b.getStatus()).isEqualTo(BuildStatus.pending);
                assertThat(b.getNotBefore()).isEqualTo(NOW);
                assertThat(b.getCreatedAt()).isEqualTo(NOW);
                assertThat(b.getReason()).isEqualTo("DESIRED");
                assertThat(b.getAttempt()).isZero();
                assertThat(b.getWorker()).isNull();
                assertThat(b.getPresetId()).isEqualTo(seed.presetRow(c.preset()));
            }
        }

        @Test
        void givenAnUnknownPresetInTheBatch_enqueueThrowsNotFoundAndStoresNothing() {
            PresetId unknown = new PresetId("python-dev", "v1", "huge");
            List<CreateRequest> batch = new ArrayList<>(creates(small, 3));
            batch.addAll(creates(unknown, 1));

            assertThatThrownBy(() -> queue.enqueueCreates(batch, NOW))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(unknown.toString());
            assertThat(seed.allBuilds()).isEmpty();
        }

        @Test
        void givenAPresetRowThatDoesNotExist_enqueueThrowsNotFoundAndStoresNothing() {
            // A cached row id with no preset behind it: the statement itself checks every row's preset (migration V4).
            PresetIds stale = new PresetIds();
            PresetId ghost = new PresetId("ghost", "v1", "p");
            stale.remember(seed.presetRow(small) + 1_000, ghost);
            List<CreateRequest> batch = new ArrayList<>(creates(small, 3));
            batch.addAll(creates(ghost, 1));

            assertThatThrownBy(() -> new JooqBuildQueueAdapter(db.dsl(), stale).enqueueCreates(batch, NOW))
                    .isInstanceOf(NotFoundException.class);
            assertThat(seed.allBuilds()).isEmpty();
            assertThat(seed.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.WORKSPACES)).isZero();
        }

        @Test
        void givenARowTheDatabaseRejects_enqueueStoresNothingAndHidesTheSql() {
            List<CreateRequest> batch = new ArrayList<>(creates(small, 5));
            batch.add(batch.get(0)); // same workspace id twice: the primary key rejects the batch

            assertThatThrownBy(() -> queue.enqueueCreates(batch, NOW))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("integrity constraint violation")
                    .satisfies(e -> assertThat(e.getMessage().toLowerCase()).doesNotContain("insert", "workspaces"));
            assertThat(seed.allBuilds()).isEmpty();
            assertThat(seed.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.WORKSPACES)).isZero();
        }

        @Test
        void givenTenThousandCreates_enqueueStoresThemAllWithAConstantNumberOfStatements() {
            StatementCounter counter = new StatementCounter();
            DSLContext counted = DSL.using(db.dsl().configuration().derive(new DefaultExecuteListenerProvider(counter)));
            List<PresetId> presets = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                presets.add(seed.preset("t" + i, "p", Map.of("i", Integer.toString(i))));
            }
            List<CreateRequest> batch = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                batch.addAll(creates(presets.get(i % presets.size()), 1));
            }

            new JooqBuildQueueAdapter(counted, new PresetIds()).enqueueCreates(batch, NOW);
            int forTenThousand = counter.count.getAndSet(0);
            new JooqBuildQueueAdapter(counted, new PresetIds()).enqueueCreates(creates(small, 1), NOW);
            int forOne = counter.count.getAndSet(0);

            // one preset look-up for the batch, then one statement per chunk of rows (workspaces and builds)
            int chunks = (10_000 + JooqBuildQueueAdapter.ROWS_PER_STATEMENT - 1) / JooqBuildQueueAdapter.ROWS_PER_STATEMENT;
            assertThat(forTenThousand).isEqualTo(1 + chunks).isLessThanOrEqualTo(5);
            assertThat(forOne).isEqualTo(2);
            assertThat(seed.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.BUILDS)).isEqualTo(10_001);
            assertThat(seed.dsl().fetchCount(io.warmpool.adapters.db.jooq.Tables.WORKSPACES)).isEqualTo(10_001);
            CreateRequest last = batch.get(9_999);
            assertThat(seed.workspace(last.workspace()).getName()).isEqualTo(last.name());
            assertThat(seed.builds(last.workspace())).singleElement()
                    .satisfies(b -> assertThat(b.getPresetId()).isEqualTo(seed.presetRow(last.preset())));
        }

        @Test
        void givenNamesWithQuotesCommasAndBraces_enqueueStoresThemExactly() {
            List<String> names = List.of("a,b", "q\"uote", "{brace}", "back\\slash", "NULL", "", " spaced ", "ünï");
            List<CreateRequest> batch = new ArrayList<>();
            for (String name : names) {
                batch.add(new CreateRequest(new WorkspaceId(UUID.randomUUID()), name, small));
            }

            queue.enqueueCreates(batch, NOW);

            assertThat(batch).allSatisfy(c -> assertThat(seed.workspace(c.workspace()).getName()).isEqualTo(c.name()));
        }

        @Test
        void givenAnEmptyList_enqueueDoesNothing() {
            StatementCounter counter = new StatementCounter();
            DSLContext counted = DSL.using(db.dsl().configuration().derive(new DefaultExecuteListenerProvider(counter)));

            new JooqBuildQueueAdapter(counted, new PresetIds()).enqueueCreates(List.of(), NOW);

            assertThat(counter.count).hasValue(0);
        }
    }

    // ---------------------------------------------------------------- enqueueDeletes

    @Nested
    class EnqueueDeletes {

        @Test
        void givenRunningAndFailedPrebuilds_enqueueAddsPendingDeletesAndMarksThemDeleting() {
            WorkspaceId running = seed.runningPrebuild(small, T0, Map.of());
            WorkspaceId failed = seed.workspace(small, WorkspacePort.PREBUILDS_OWNER, WorkspacePhase.failed, T0, Map.of());

            int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(running, small, "EXPIRED"),
                    new DeleteRequest(failed, small, "FAILED_CLEANUP")), NOW);

            assertThat(enqueued).isEqualTo(2);
            for (var expected : Map.of(running, "EXPIRED", failed, "FAILED_CLEANUP").entrySet()) {
                assertThat(seed.workspace(expected.getKey()).getPhase()).isEqualTo(WorkspacePhase.deleting);
                BuildsRecord delete = seed.builds(expected.getKey()).get(1);
                assertThat(delete.getTransition()).isEqualTo(BuildTransition.delete);
                assertThat(delete.getStatus()).isEqualTo(BuildStatus.pending);
                assertThat(delete.getReason()).isEqualTo(expected.getValue());
                assertThat(delete.getNotBefore()).isEqualTo(NOW);
                assertThat(delete.getCreatedAt()).isEqualTo(NOW);
                assertThat(delete.getPresetId()).isEqualTo(seed.presetRow(small));
            }
        }

        @Test
        void givenADeleteAlreadyPendingOrRunning_enqueueingAgainIsSkipped() {
            WorkspaceId pending = seed.runningPrebuild(small, T0, Map.of());
            WorkspaceId running = seed.runningPrebuild(small, T0.plusSeconds(1), Map.of());
            queue.enqueueDeletes(List.of(new DeleteRequest(running, small, "EXTRANEOUS")), NOW);
            acquire(W1, NOW);
            queue.enqueueDeletes(List.of(new DeleteRequest(pending, small, "EXTRANEOUS")), NOW);

            int again = queue.enqueueDeletes(List.of(new DeleteRequest(pending, small, "EXTRANEOUS"),
                    new DeleteRequest(running, small, "EXTRANEOUS")), NOW.plusSeconds(1));

            assertThat(again).isZero();
            assertThat(seed.builds(pending)).hasSize(2);
            assertThat(seed.builds(running)).hasSize(2);
        }

        @Test
        void givenTheSameWorkspaceTwiceInOneBatch_oneDeleteIsEnqueued() {
            WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of());

            int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, "EXPIRED"),
                    new DeleteRequest(ws, small, "EXTRANEOUS")), NOW);

            assertThat(enqueued).isEqualTo(1);
            assertThat(seed.builds(ws)).extracting(BuildsRecord::getReason).containsExactly("DESIRED", "EXPIRED");
        }

        @Test
        void givenGoneDeletedOrStartingWorkspaces_enqueueSkipsThem() {
            WorkspaceId deleted = seed.workspace(small, WorkspacePort.PREBUILDS_OWNER, WorkspacePhase.deleted, T0, Map.of());
            WorkspaceId starting = enqueueOneCreate(small, NOW);
            WorkspaceId unknown = new WorkspaceId(UUID.randomUUID());

            int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(deleted, small, "EXPIRED"),
                    new DeleteRequest(starting, small, "EXTRANEOUS"), new DeleteRequest(unknown, small, "EXPIRED")), NOW);

            assertThat(enqueued).isZero();
            assertThat(seed.workspace(deleted).getPhase()).isEqualTo(WorkspacePhase.deleted);
            assertThat(seed.workspace(starting).getPhase()).isEqualTo(WorkspacePhase.starting);
            assertThat(seed.allBuilds()).extracting(BuildsRecord::getTransition).containsOnly(BuildTransition.create);
        }

        @Test
        void givenAClaimedWorkspace_releaseEnqueuesItsDelete() {
            WorkspaceId claimed = seed.workspace(small, "alice", WorkspacePhase.running, T0, Map.of("url", "https://x"));

            int enqueued = queue.enqueueDeletes(List.of(new DeleteRequest(claimed, small, DeleteRequest.RELEASED)), NOW);

            assertThat(enqueued).isEqualTo(1);
            assertThat(seed.workspace(claimed).getPhase()).isEqualTo(WorkspacePhase.deleting);
            Job job = acquire(W1, NOW);
            assertThat(job.transition()).isEqualTo(Transition.DELETE);
            assertThat(job.owner()).isEqualTo("alice");
            assertThat(job.outputs()).containsEntry("url", "https://x");
        }

        @Test
        void givenAPrebuildClaimedAfterThePlanWasMade_thePlansDeleteSkipsIt() {
            // The pass planned to delete a prebuild; a user claimed it before the delete was enqueued.
            WorkspaceId claimedMeanwhile = seed.workspace(small, "alice", WorkspacePhase.running, T0, Map.of());
            WorkspaceId prebuild = seed.runningPrebuild(small, T0, Map.of());

            int planned = queue.enqueueDeletes(List.of(new DeleteRequest(claimedMeanwhile, small, "EXTRANEOUS")), NOW);
            int releasedPrebuild = queue.enqueueDeletes(List.of(new DeleteRequest(prebuild, small, DeleteRequest.RELEASED)), NOW);

            assertThat(planned).isZero();
            assertThat(releasedPrebuild).isZero();
            assertThat(seed.workspace(claimedMeanwhile).getPhase()).isEqualTo(WorkspacePhase.running);
            assertThat(seed.workspace(prebuild).getPhase()).isEqualTo(WorkspacePhase.running);
        }

        @Test
        void givenTwoCallersEnqueueingTheSameDeletesAtOnce_eachIsEnqueuedOnce() throws Exception {
            List<DeleteRequest> deletes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                deletes.add(new DeleteRequest(seed.runningPrebuild(small, T0.plusMillis(i), Map.of()), small, "EXPIRED"));
            }
            List<DeleteRequest> reversed = new ArrayList<>(deletes);
            Collections.reverse(reversed);
            AtomicInteger turn = new AtomicInteger();

            List<Integer> enqueued = runConcurrently(2,
                    () -> queue.enqueueDeletes(turn.getAndIncrement() == 0 ? deletes : reversed, NOW));

            assertThat(enqueued.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
            assertThat(seed.allBuilds()).filteredOn(b -> b.getTransition() == BuildTransition.delete)
                    .hasSize(100)
                    .extracting(BuildsRecord::getWorkspaceId).doesNotHaveDuplicates();
        }
    }

    // ---------------------------------------------------------------- cancelQueuedCreates

    @Nested
    class CancelQueuedCreates {

        @Test
        void givenPendingAndTakenCreates_cancelCancelsOnlyThePendingOnesOfThosePresets() {
            List<CreateRequest> smallCreates = creates(small, 3);
            queue.enqueueCreates(smallCreates, NOW);
            Job taken = acquire(W1, NOW);
            WorkspaceId otherPreset = enqueueOneCreate(large, NOW);
            WorkspaceId toDelete = seed.runningPrebuild(small, T0, Map.of());
            queue.enqueueDeletes(List.of(new DeleteRequest(toDelete, small, "INACTIVE")), NOW);
            Instant later = NOW.plusSeconds(5);

            int canceled = queue.cancelQueuedCreates(Set.of(small), later);

            assertThat(canceled).isEqualTo(2);
            for (CreateRequest c : smallCreates) {
                BuildsRecord build = seed.builds(c.workspace()).get(0);
                WorkspacesRecord ws = seed.workspace(c.workspace());
                if (c.workspace().equals(taken.workspace())) {
                    assertThat(build.getStatus()).isEqualTo(BuildStatus.running);
                    assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.starting);
                } else {
                    assertThat(build.getStatus()).isEqualTo(BuildStatus.canceled);
                    assertThat(build.getFinishedAt()).isEqualTo(later);
                    assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.deleted);
                    assertThat(ws.getDeletedAt()).isEqualTo(later);
                }
            }
            assertThat(seed.builds(otherPreset).get(0).getStatus()).isEqualTo(BuildStatus.pending);
            assertThat(seed.builds(toDelete).get(1).getStatus()).isEqualTo(BuildStatus.pending);
            assertThat(seed.workspace(toDelete).getPhase()).isEqualTo(WorkspacePhase.deleting);
        }

        @Test
        void givenNothingQueuedOrAnUnknownPreset_cancelCancelsNothing() {
            assertThat(queue.cancelQueuedCreates(Set.of(small, new PresetId("nope", "v1", "x")), NOW)).isZero();
            assertThat(queue.cancelQueuedCreates(Set.of(), NOW)).isZero();
        }
    }

    // ---------------------------------------------------------------- acquire

    @Nested
    class Acquire {

        @Test
        void givenNoPendingJob_acquireFindsNothing() {
            assertThat(queue.acquire(W1, NOW)).isEmpty();
        }

        @Test
        void givenPendingDeleteAndCreate_acquireTakesTheDeleteFirst() {
            WorkspaceId create = enqueueOneCreate(small, NOW);
            WorkspaceId ready = seed.runningPrebuild(small, T0, Map.of("host", "h1"));
            queue.enqueueDeletes(List.of(new DeleteRequest(ready, small, "EXPIRED")), NOW.plusSeconds(1));

            Job first = acquire(W1, NOW.plusSeconds(2));
            Job second = acquire(W1, NOW.plusSeconds(2));

            assertThat(first.transition()).isEqualTo(Transition.DELETE);
            assertThat(first.workspace()).isEqualTo(ready);
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
            Instant takenAt = NOW.plusSeconds(10).plusNanos(123_456_789); // sub-millisecond part is dropped

            Job job = acquire(W1, takenAt);

            assertThat(job.transition()).isEqualTo(Transition.CREATE);
            assertThat(job.workspace()).isEqualTo(create.workspace());
            assertThat(job.workspaceName()).isEqualTo(create.name());
            assertThat(job.owner()).isEqualTo(WorkspacePort.PREBUILDS_OWNER);
            assertThat(job.preset()).isEqualTo(small);
            assertThat(job.parameters()).isEqualTo(PARAMETERS);
            assertThat(job.outputs()).isEmpty();
            assertThat(job.attempt()).isEqualTo(1);
            BuildsRecord build = seed.build(job.id().value());
            Instant millis = NOW.plusSeconds(10).plusMillis(123);
            assertThat(build.getStatus()).isEqualTo(BuildStatus.running);
            assertThat(build.getWorker()).isEqualTo(W1.value());
            assertThat(build.getStartedAt()).isEqualTo(millis);
            assertThat(build.getHeartbeatAt()).isEqualTo(millis);
            assertThat(build.getAttempt()).isEqualTo(1);
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

        @Test
        void givenEightWorkersAndTwoHundredJobs_eachJobIsTakenExactlyOnce() throws Exception {
            queue.enqueueCreates(creates(small, 150), NOW);
            for (int i = 0; i < 50; i++) {
                seed.runningPrebuild(large, T0.plusMillis(i), Map.of());
            }
            queue.enqueueDeletes(seed.dsl().select(io.warmpool.adapters.db.jooq.Tables.WORKSPACES.ID)
                    .from(io.warmpool.adapters.db.jooq.Tables.WORKSPACES)
                    .where(io.warmpool.adapters.db.jooq.Tables.WORKSPACES.PHASE.eq(WorkspacePhase.running))
                    .fetch(r -> new DeleteRequest(new WorkspaceId(r.value1()), large, "EXPIRED")), NOW);
            ConcurrentLinkedQueue<Job> taken = new ConcurrentLinkedQueue<>();
            AtomicInteger workerNumber = new AtomicInteger();

            runConcurrently(8, () -> {
                WorkerId me = new WorkerId("host/w" + workerNumber.incrementAndGet());
                for (Optional<Job> job = queue.acquire(me, NOW); job.isPresent(); job = queue.acquire(me, NOW)) {
                    taken.add(job.get());
                }
                return null;
            });

            assertThat(taken).hasSize(200).extracting(Job::id).doesNotHaveDuplicates();
            assertThat(seed.allBuilds()).filteredOn(b -> b.getStatus() == BuildStatus.running)
                    .hasSize(200)
                    .allSatisfy(b -> assertThat(b.getAttempt()).isEqualTo(1));
            Map<Long, String> workerOf = new java.util.HashMap<>();
            seed.allBuilds().forEach(b -> workerOf.put(b.getId(), b.getWorker()));
            assertThat(taken).allSatisfy(job -> assertThat(workerOf.get(job.id().value())).isNotNull());
        }
    }

    // ---------------------------------------------------------------- heartbeat

    @Nested
    class Heartbeat {

        @Test
        void givenAHeldJob_heartbeatRecordsNow() {
            Job job = runningCreate(W1);

            boolean held = queue.heartbeat(job.id(), W1, NOW.plusSeconds(15));

            assertThat(held).isTrue();
            assertThat(seed.build(job.id().value()).getHeartbeatAt()).isEqualTo(NOW.plusSeconds(15));
        }

        @Test
        void givenAnotherWorkersOrAFinishedJob_heartbeatIsRefusedAndChangesNothing() {
            Job job = runningCreate(W1);

            assertThat(queue.heartbeat(job.id(), W2, NOW.plusSeconds(15))).isFalse();
            assertThat(seed.build(job.id().value()).getHeartbeatAt()).isEqualTo(NOW);

            queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(20), clearFailures());
            assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(25))).isFalse();
            assertThat(seed.build(job.id().value()).getHeartbeatAt()).isEqualTo(NOW);
        }

        @Test
        void givenAReapedJob_heartbeatTellsTheWorkerItLostTheJob() {
            Job job = runningCreate(W1);
            queue.reapLost(NOW, NOW.plusSeconds(90));

            assertThat(queue.heartbeat(job.id(), W1, NOW.plusSeconds(91))).isFalse();
        }
    }

    // ---------------------------------------------------------------- complete

    @Nested
    class Complete {

        @Test
        void givenASucceededCreate_completeMakesThePrebuildRunningAndAppliesTheFailureChange() {
            Job job = runningCreate(W1);
            seed.dsl().update(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES)
                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES, 2)
                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.LAST_FAILURE_AT, T0)
                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.RETRY_NOT_BEFORE, T0.plusSeconds(60))
                    .execute();
            Instant done = NOW.plusSeconds(42);

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Succeeded(Map.of("url", "https://ws-1", "host", "h1"), "created\n"), done, clearFailures());

            assertThat(transition).get().satisfies(t -> {
                assertThat(t.before()).isEqualTo(new FailureState(2, T0, T0.plusSeconds(60), PresetStatus.HEALTHY));
                assertThat(t.after()).isEqualTo(FailureState.initial());
            });
            BuildsRecord build = seed.build(job.id().value());
            assertThat(build.getStatus()).isEqualTo(BuildStatus.succeeded);
            assertThat(build.getFinishedAt()).isEqualTo(done);
            assertThat(build.getLog()).isEqualTo("created\n");
            assertThat(build.getErrorCode()).isNull();
            assertThat(build.getError()).isNull();
            WorkspacesRecord ws = seed.workspace(job.workspace());
            assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.running);
            assertThat(ws.getReadyAt()).isEqualTo(done);
            assertThat(Json.map(ws.getOutputs())).containsOnly(Map.entry("url", "https://ws-1"), Map.entry("host", "h1"));
            PresetFailureStatesRecord state = seed.failureState(small);
            assertThat(state.getConsecutiveFailures()).isZero();
            assertThat(state.getLastFailureAt()).isNull();
            assertThat(state.getRetryNotBefore()).isNull();
        }

        @Test
        void givenAFailedCreate_completeFailsThePrebuildAndCountsTheFailure() {
            Job job = runningCreate(W1);
            Instant done = NOW.plusSeconds(42);

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Failed("permanent", "bad parameter cpu", true, "boom"), done, countFailure(done));

            assertThat(transition).get().extracting(t -> t.after().consecutiveFailures()).isEqualTo(1);
            BuildsRecord build = seed.build(job.id().value());
            assertThat(build.getStatus()).isEqualTo(BuildStatus.failed);
            assertThat(build.getFinishedAt()).isEqualTo(done);
            assertThat(build.getErrorCode()).isEqualTo("permanent");
            assertThat(build.getError()).isEqualTo("bad parameter cpu");
            assertThat(build.getLog()).isEqualTo("boom");
            WorkspacesRecord ws = seed.workspace(job.workspace());
            assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.failed);
            assertThat(ws.getFailedAt()).isEqualTo(done);
            PresetFailureStatesRecord state = seed.failureState(small);
            assertThat(state.getConsecutiveFailures()).isEqualTo(1);
            assertThat(state.getLastFailureAt()).isEqualTo(done);
            assertThat(state.getRetryNotBefore()).isEqualTo(done.plusSeconds(60));
            assertThat(state.getUpdatedAt()).isEqualTo(done);
        }

        @Test
        void givenFiveParallelFailedCreates_eachCountsInTheFailureState() throws Exception {
            queue.enqueueCreates(creates(small, 5), NOW);
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                jobs.add(acquire(W1, NOW));
            }
            ConcurrentLinkedQueue<Job> toComplete = new ConcurrentLinkedQueue<>(jobs);

            runConcurrently(5, () -> queue.complete(toComplete.poll().id(), W1,
                    new JobResult.Failed("failed", "quota", false, ""), NOW.plusSeconds(1), countFailure(NOW.plusSeconds(1))));

            assertThat(seed.failureState(small).getConsecutiveFailures()).isEqualTo(5);
        }

        @Test
        void givenASucceededCreateOfAPresetWithoutFailures_completeWritesNothingToTheFailureState() {
            Job job = runningCreate(W1);
            PresetFailureStatesRecord stateBefore = seed.failureState(small);
            List<FailureState> seen = new ArrayList<>();

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(5), s -> {
                        seen.add(s);
                        return new FailureTransition(s, FailureState.initial());
                    });

            assertThat(seen).containsExactly(FailureState.initial());
            assertThat(transition).get().satisfies(t -> assertThat(t.changed()).isFalse());
            assertThat(seed.failureState(small)).isEqualTo(stateBefore); // updated_at included
            assertThat(seed.workspace(job.workspace()).getPhase()).isEqualTo(WorkspacePhase.running);
        }

        @Test
        void givenTheFailureStateChangedAfterItWasRead_completeAppliesTheChangeToTheNewState() {
            Job job = runningCreate(W1);
            Instant done = NOW.plusSeconds(5);
            List<FailureState> seen = new ArrayList<>();

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Failed("failed", "quota", false, ""), done, s -> {
                        seen.add(s);
                        if (seen.size() == 1) {
                            // Another replica records two failures between the read and the write (it commits at once).
                            seed.dsl().update(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES)
                                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.CONSECUTIVE_FAILURES, 2)
                                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.LAST_FAILURE_AT, T0)
                                    .set(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES.RETRY_NOT_BEFORE, T0.plusSeconds(60))
                                    .execute();
                        }
                        return countFailure(done).apply(s);
                    });

            FailureState concurrent = new FailureState(2, T0, T0.plusSeconds(60), PresetStatus.HEALTHY);
            assertThat(seen).containsExactly(FailureState.initial(), concurrent);
            assertThat(transition).get().satisfies(t -> {
                assertThat(t.before()).isEqualTo(concurrent);
                assertThat(t.after().consecutiveFailures()).isEqualTo(3);
            });
            PresetFailureStatesRecord state = seed.failureState(small);
            assertThat(state.getConsecutiveFailures()).isEqualTo(3);
            assertThat(state.getLastFailureAt()).isEqualTo(done);
            assertThat(state.getUpdatedAt()).isEqualTo(done);
        }

        @Test
        void givenAPresetWhoseFailureStateRowIsMissing_aFailedCreateCreatesIt() {
            Job job = runningCreate(W1);
            seed.dsl().deleteFrom(io.warmpool.adapters.db.jooq.Tables.PRESET_FAILURE_STATES).execute();
            Instant done = NOW.plusSeconds(5);

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Failed("failed", "quota", false, ""), done, countFailure(done));

            assertThat(transition).get().satisfies(t -> assertThat(t.before()).isEqualTo(FailureState.initial()));
            PresetFailureStatesRecord state = seed.failureState(small);
            assertThat(state.getConsecutiveFailures()).isEqualTo(1);
            assertThat(state.getRetryNotBefore()).isEqualTo(done.plusSeconds(60));
        }

        @Test
        void givenASucceededDelete_completeMarksTheWorkspaceDeletedAndLeavesTheFailureStateAlone() {
            WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of("url", "u"));
            queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, "EXPIRED")), NOW);
            Job job = acquire(W1, NOW);
            PresetFailureStatesRecord stateBefore = seed.failureState(small);
            AtomicBoolean called = new AtomicBoolean();

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Succeeded(Map.of(), "deleted"), NOW.plusSeconds(3), mustNotBeCalled(called));

            assertThat(transition).isEmpty();
            assertThat(called).isFalse();
            assertThat(seed.failureState(small)).isEqualTo(stateBefore);
            WorkspacesRecord row = seed.workspace(ws);
            assertThat(row.getPhase()).isEqualTo(WorkspacePhase.deleted);
            assertThat(row.getDeletedAt()).isEqualTo(NOW.plusSeconds(3));
            assertThat(Json.map(row.getOutputs())).containsEntry("url", "u");
            assertThat(seed.build(job.id().value()).getStatus()).isEqualTo(BuildStatus.succeeded);
        }

        @Test
        void givenAFailedDelete_completeFailsTheWorkspaceSoThatItIsCleanedUpAgain() {
            WorkspaceId ws = seed.runningPrebuild(small, T0, Map.of());
            queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, "EXPIRED")), NOW);
            Job job = acquire(W1, NOW);
            AtomicBoolean called = new AtomicBoolean();

            Optional<FailureTransition> transition = queue.complete(job.id(), W1,
                    new JobResult.Failed("failed", "cannot reach host", false, ""), NOW.plusSeconds(3), mustNotBeCalled(called));

            assertThat(transition).isEmpty();
            assertThat(called).isFalse();
            WorkspacesRecord row = seed.workspace(ws);
            assertThat(row.getPhase()).isEqualTo(WorkspacePhase.failed);
            assertThat(row.getFailedAt()).isEqualTo(NOW.plusSeconds(3));
            assertThat(queue.enqueueDeletes(List.of(new DeleteRequest(ws, small, "FAILED_CLEANUP")), NOW.plusSeconds(4)))
                    .isEqualTo(1);
        }

        @Test
        void givenTheWrongWorker_completeThrowsJobNotHeldAndChangesNothing() {
            Job job = runningCreate(W1);
            BuildsRecord buildBefore = seed.build(job.id().value());
            WorkspacesRecord wsBefore = seed.workspace(job.workspace());
            PresetFailureStatesRecord stateBefore = seed.failureState(small);

            assertThatThrownBy(() -> queue.complete(job.id(), W2, new JobResult.Failed("failed", "x", false, ""),
                    NOW.plusSeconds(5), countFailure(NOW.plusSeconds(5))))
                    .isInstanceOf(JobNotHeldException.class)
                    .hasMessageContaining(W2.value());

            assertThat(seed.build(job.id().value())).isEqualTo(buildBefore);
            assertThat(seed.workspace(job.workspace())).isEqualTo(wsBefore);
            assertThat(seed.failureState(small)).isEqualTo(stateBefore);
        }

        @Test
        void givenAReapedJob_completeThrowsJobNotHeldAndChangesNothing() {
            Job job = runningCreate(W1);
            queue.reapLost(NOW, NOW.plusSeconds(61));
            BuildsRecord buildBefore = seed.build(job.id().value());
            WorkspacesRecord wsBefore = seed.workspace(job.workspace());
            PresetFailureStatesRecord stateBefore = seed.failureState(small);

            assertThatThrownBy(() -> queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of("url", "u"), ""),
                    NOW.plusSeconds(70), clearFailures()))
                    .isInstanceOf(JobNotHeldException.class);

            assertThat(seed.build(job.id().value())).isEqualTo(buildBefore);
            assertThat(seed.workspace(job.workspace())).isEqualTo(wsBefore);
            assertThat(seed.failureState(small)).isEqualTo(stateBefore);
        }

        @Test
        void givenAFailureChangeThatThrows_completeRollsEverythingBack() {
            Job job = runningCreate(W1);
            BuildsRecord buildBefore = seed.build(job.id().value());

            assertThatThrownBy(() -> queue.complete(job.id(), W1, new JobResult.Failed("failed", "x", false, ""),
                    NOW.plusSeconds(5), s -> {
                        throw new IllegalStateException("policy broke");
                    }))
                    .isInstanceOf(IllegalStateException.class);

            assertThat(seed.build(job.id().value())).isEqualTo(buildBefore);
            assertThat(seed.workspace(job.workspace()).getPhase()).isEqualTo(WorkspacePhase.starting);
        }

        @Test
        void givenAHugeLog_completeKeepsItsTailAndSaysItWasTruncated() {
            Job job = runningCreate(W1);
            StringBuilder log = new StringBuilder();
            for (int i = 0; log.length() < 200_000; i++) {
                log.append("line ").append(i).append('\n');
            }
            log.append("FATAL: disk full\n");
            String error = "E".repeat(20_000);

            queue.complete(job.id(), W1, new JobResult.Failed("failed", error, false, log.toString()), NOW,
                    countFailure(NOW));

            BuildsRecord build = seed.build(job.id().value());
            assertThat(build.getLog()).hasSizeLessThanOrEqualTo(JooqBuildQueueAdapter.MAX_LOG)
                    .startsWith("[log truncated: ")
                    .endsWith("FATAL: disk full\n");
            String kept = build.getLog().substring(build.getLog().indexOf('\n') + 1);
            assertThat(log.toString()).endsWith(kept);
            assertThat(build.getError()).hasSizeLessThanOrEqualTo(JooqBuildQueueAdapter.MAX_ERROR)
                    .startsWith("EEEE").endsWith("[truncated]");
        }

        @Test
        void givenAProvisionerOutputWithNulCharacters_completeStoresItAnyway() {
            Job job = runningCreate(W1);

            queue.complete(job.id(), W1, new JobResult.Succeeded(Map.of("k", "a\u0000b"), "x\u0000y"), NOW, clearFailures());

            assertThat(seed.build(job.id().value()).getLog()).isEqualTo("x\uFFFDy");
            assertThat(Json.map(seed.workspace(job.workspace()).getOutputs())).containsEntry("k", "a\uFFFDb");
        }

        @Test
        void boundedTexts_neverExceedTheColumnLimitsNorSplitSurrogatePairs() {
            String emoji = "\uD83D\uDE00"; // one code point, two chars
            // Lengths chosen so that both cuts fall between the two halves of a pair.
            String log = emoji.repeat(40_000) + "y";
            String error = "x" + emoji.repeat(5_000);

            String boundedLog = JooqBuildQueueAdapter.boundedLog(log);
            String boundedError = JooqBuildQueueAdapter.boundedError(error);

            assertThat(boundedLog).hasSizeLessThanOrEqualTo(JooqBuildQueueAdapter.MAX_LOG);
            assertThat(boundedLog.substring(boundedLog.indexOf('\n') + 1)).matches("(\uD83D\uDE00)+y");
            assertThat(boundedError).hasSizeLessThanOrEqualTo(JooqBuildQueueAdapter.MAX_ERROR);
            assertThat(boundedError.substring(0, boundedError.indexOf(' '))).matches("x(\uD83D\uDE00)+");
            assertThat(JooqBuildQueueAdapter.boundedLog("short")).isEqualTo("short");
            assertThat(JooqBuildQueueAdapter.boundedLog("x".repeat(JooqBuildQueueAdapter.MAX_LOG)))
                    .hasSize(JooqBuildQueueAdapter.MAX_LOG).doesNotStartWith("[log");
        }
    }

    // ---------------------------------------------------------------- release

    @Nested
    class Release {

        @Test
        void givenAHeldJob_releasePutsItBackAndTheNextTakeCountsAnotherAttempt() {
            Job job = runningCreate(W1);
            Instant notBefore = NOW.plusSeconds(30);

            queue.release(job.id(), W1, "provisioner circuit open", notBefore, NOW.plusSeconds(1));

            BuildsRecord build = seed.build(job.id().value());
            assertThat(build.getStatus()).isEqualTo(BuildStatus.pending);
            assertThat(build.getWorker()).isNull();
            assertThat(build.getHeartbeatAt()).isNull();
            assertThat(build.getNotBefore()).isEqualTo(notBefore);
            assertThat(build.getErrorCode()).isEqualTo("unavailable");
            assertThat(build.getError()).isEqualTo("provisioner circuit open");
            assertThat(seed.workspace(job.workspace()).getPhase()).isEqualTo(WorkspacePhase.starting);
            assertThat(seed.failureState(small).getConsecutiveFailures()).isZero();

            Job again = acquire(W2, notBefore);

            assertThat(again.id()).isEqualTo(job.id());
            assertThat(again.attempt()).isEqualTo(2);
            queue.complete(again.id(), W2, new JobResult.Succeeded(Map.of(), ""), notBefore.plusSeconds(1), clearFailures());
            assertThat(seed.build(job.id().value())).satisfies(b -> {
                assertThat(b.getErrorCode()).isNull();
                assertThat(b.getError()).isNull();
                assertThat(b.getAttempt()).isEqualTo(2);
            });
        }

        @Test
        void givenTheWrongWorker_releaseThrowsJobNotHeldAndChangesNothing() {
            Job job = runningCreate(W1);
            BuildsRecord before = seed.build(job.id().value());

            assertThatThrownBy(() -> queue.release(job.id(), W2, "x", NOW.plusSeconds(30), NOW))
                    .isInstanceOf(JobNotHeldException.class);

            assertThat(seed.build(job.id().value())).isEqualTo(before);
        }
    }

    // ---------------------------------------------------------------- reapLost

    @Nested
    class ReapLost {

        @Test
        void givenStaleAndFreshJobs_reapFailsOnlyTheStaleOnesAsWorkerLost() {
            WorkspaceId ready = seed.runningPrebuild(large, T0, Map.of());
            queue.enqueueDeletes(List.of(new DeleteRequest(ready, large, "EXPIRED")), NOW);
            Job staleDelete = acquire(W1, NOW);
            Job staleCreate = runningCreate(W1);
            Job fresh = runningCreate(W2);
            queue.heartbeat(fresh.id(), W2, NOW.plusSeconds(30));
            PresetFailureStatesRecord smallBefore = seed.failureState(small);
            Instant bound = NOW; // heartbeats at or before the bound are lost
            Instant reapedAt = NOW.plusSeconds(60);

            List<LostJob> lost = queue.reapLost(bound, reapedAt);

            assertThat(lost).containsExactlyInAnyOrder(
                    new LostJob(staleDelete.id(), Transition.DELETE, large, ready),
                    new LostJob(staleCreate.id(), Transition.CREATE, small, staleCreate.workspace()));
            for (Job job : List.of(staleDelete, staleCreate)) {
                BuildsRecord build = seed.build(job.id().value());
                assertThat(build.getStatus()).isEqualTo(BuildStatus.failed);
                assertThat(build.getErrorCode()).isEqualTo("worker_lost");
                assertThat(build.getFinishedAt()).isEqualTo(reapedAt);
                WorkspacesRecord ws = seed.workspace(job.workspace());
                assertThat(ws.getPhase()).isEqualTo(WorkspacePhase.failed);
                assertThat(ws.getFailedAt()).isEqualTo(reapedAt);
            }
            assertThat(seed.build(fresh.id().value()).getStatus()).isEqualTo(BuildStatus.running);
            assertThat(seed.failureState(small)).isEqualTo(smallBefore);
            assertThat(queue.reapLost(bound, reapedAt)).isEmpty();
        }

        @Test
        void givenFourReplicasReapingAtOnce_eachLostJobIsReapedOnce() throws Exception {
            queue.enqueueCreates(creates(small, 60), NOW);
            for (int i = 0; i < 60; i++) {
                acquire(W1, NOW);
            }

            List<List<LostJob>> reaped = runConcurrently(4, () -> queue.reapLost(NOW, NOW.plusSeconds(61)));

            List<LostJob> all = reaped.stream().flatMap(List::stream).toList();
            assertThat(all).hasSize(60).extracting(LostJob::id).doesNotHaveDuplicates();
            assertThat(new HashSet<>(seed.allBuilds().stream().map(BuildsRecord::getStatus).toList()))
                    .containsExactly(BuildStatus.failed);
        }
    }
}
