package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.Seed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.db.jooq.enums.BuildStatus;
import io.warmpool.adapters.db.jooq.enums.BuildTransition;
import io.warmpool.adapters.db.jooq.enums.WorkspacePhase;
import io.warmpool.adapters.db.jooq.tables.records.BuildsRecord;
import io.warmpool.adapters.db.jooq.tables.records.PresetFailureStatesRecord;
import io.warmpool.application.port.out.BuildQueuePort.LostJob;
import io.warmpool.application.port.out.CreateRequest;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.port.out.WorkerId;
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
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

/**
 * {@link JooqBuildQueueAdapter} on the real (embedded) PostgreSQL: what only a database has. The port's contract
 * itself is {@code BuildQueuePortContract} (run here by {@link PostgresBuildQueueContractTest}, and on the fake in
 * application); these stay database-only because they are about the implementation: statement counts of a batch,
 * stale row-id caches and constraint errors, concurrent transactions racing on real rows (several workers,
 * replicas or completions at once, a compare-and-set lost to another transaction), a missing failure-state row,
 * the columns' bounds and PostgreSQL's text limits (NUL, surrogate pairs), and the timestamp columns the port does
 * not show.
 */
class BuildQueueDatabaseTest extends DatabaseTestBase {

    private static final Instant NOW = T0.plusSeconds(3600);
    private static final WorkerId W1 = new WorkerId("host-a/w1");
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
        void givenTwoCallersEnqueueingTheSameDeletesAtOnce_eachIsEnqueuedOnce() throws Exception {
            List<DeleteRequest> deletes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                deletes.add(new DeleteRequest(seed.runningPrebuild(small, T0.plusMillis(i), Map.of()), small, DeleteRequest.Reason.EXPIRED));
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

    // ---------------------------------------------------------------- acquire

    @Nested
    class Acquire {

        @Test
        void givenEightWorkersAndTwoHundredJobs_eachJobIsTakenExactlyOnce() throws Exception {
            queue.enqueueCreates(creates(small, 150), NOW);
            for (int i = 0; i < 50; i++) {
                seed.runningPrebuild(large, T0.plusMillis(i), Map.of());
            }
            queue.enqueueDeletes(seed.dsl().select(io.warmpool.adapters.db.jooq.Tables.WORKSPACES.ID)
                    .from(io.warmpool.adapters.db.jooq.Tables.WORKSPACES)
                    .where(io.warmpool.adapters.db.jooq.Tables.WORKSPACES.PHASE.eq(WorkspacePhase.running))
                    .fetch(r -> new DeleteRequest(new WorkspaceId(r.value1()), large, DeleteRequest.Reason.EXPIRED)), NOW);
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

    // ---------------------------------------------------------------- complete

    @Nested
    class Complete {

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

    // ---------------------------------------------------------------- columns the port does not show

    @Nested
    class Columns {

        @Test
        void givenASubMillisecondInstant_acquireStoresTheWorkerAndTheInstantToTheMillisecond() {
            enqueueOneCreate(small, NOW);
            Instant takenAt = NOW.plusSeconds(10).plusNanos(123_456_789); // the sub-millisecond part is dropped

            Job job = acquire(W1, takenAt);

            BuildsRecord build = seed.build(job.id().value());
            Instant millis = NOW.plusSeconds(10).plusMillis(123);
            assertThat(build.getWorker()).isEqualTo(W1.value());
            assertThat(build.getStartedAt()).isEqualTo(millis);
            assertThat(build.getHeartbeatAt()).isEqualTo(millis);
            assertThat(build.getNotBefore()).isEqualTo(NOW);
        }

        @Test
        void givenFinishedBuilds_theWorkspaceRowsKeepWhenTheyBecameReadyFailedAndDeleted() {
            Job created = runningCreate(W1);
            queue.complete(created.id(), W1, new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(5), clearFailures());
            Job failed = runningCreate(W1);
            queue.complete(failed.id(), W1, new JobResult.Failed("failed", "x", false, ""), NOW.plusSeconds(6),
                    countFailure(NOW.plusSeconds(6)));
            queue.enqueueDeletes(List.of(new DeleteRequest(created.workspace(), small, DeleteRequest.Reason.EXPIRED)), NOW.plusSeconds(7));
            Job delete = acquire(W1, NOW.plusSeconds(7));
            queue.complete(delete.id(), W1, new JobResult.Succeeded(Map.of(), ""), NOW.plusSeconds(8), clearFailures());
            Job released = runningCreate(W1);
            queue.release(released.id(), W1, "circuit open", NOW.plusSeconds(30), NOW.plusSeconds(9));

            assertThat(seed.workspace(created.workspace())).satisfies(w -> {
                assertThat(w.getPhase()).isEqualTo(WorkspacePhase.deleted);
                assertThat(w.getCreatedAt()).isEqualTo(NOW);
                assertThat(w.getReadyAt()).isEqualTo(NOW.plusSeconds(5));
                assertThat(w.getDeletedAt()).isEqualTo(NOW.plusSeconds(8));
            });
            assertThat(seed.workspace(failed.workspace()).getFailedAt()).isEqualTo(NOW.plusSeconds(6));
            PresetFailureStatesRecord state = seed.failureState(small);
            assertThat(state.getUpdatedAt()).isEqualTo(NOW.plusSeconds(6));
            assertThat(seed.build(released.id().value())).satisfies(b -> {
                assertThat(b.getStatus()).isEqualTo(BuildStatus.pending);
                assertThat(b.getWorker()).isNull();
                assertThat(b.getHeartbeatAt()).isNull();
                assertThat(b.getNotBefore()).isEqualTo(NOW.plusSeconds(30));
            });
        }
    }

    // ---------------------------------------------------------------- reapLost

    @Nested
    class ReapLost {

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
