package io.warmpool.application.service;

import static io.warmpool.application.fakes.Presets.preset;
import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static io.warmpool.application.service.World.planOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.warmpool.application.fakes.Presets;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.BlockReason;
import io.warmpool.domain.plan.DeleteReason;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PlannerSettings;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A1 — the reconcile pass, against the in-memory store. */
class ReconcilePresetsServiceTest {

    private final World world = new World();

    @Test
    void givenLockHeldElsewhere_passDoesNothing() {
        // given: an empty pool that would need creates, and another replica holding the lock
        PresetId preset = world.preset("python", 3);
        HeldLock elsewhere = world.store.holdLockElsewhere();

        // when
        PassReport report = world.pass();

        // then: skipped before even reading the snapshot
        assertThat(report.skipped()).isEqualTo(PassReport.Skipped.LOCKED_ELSEWHERE);
        assertThat(report.ran()).isFalse();
        assertThat(world.store.snapshotLoads()).isZero();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).isEmpty();
        assertThat(world.events.all()).isEmpty();
        assertThat(world.metrics.passes()).isEmpty();
        assertThat(world.store.lockHeld()).as("the other replica still holds it").isTrue();

        // and once the other replica lets go, the next pass runs
        elsewhere.close();
        assertThat(world.pass().ran()).isTrue();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).hasSize(3);
    }

    @Test
    void everyFullTick_reportsTheQueueDepthByKind_evenWhenTheLockIsHeldElsewhere_andANudgedPassDoesNot() {
        // given: a pass enqueued three creates
        PresetId preset = world.preset("python", 3);
        world.pass();
        assertThat(world.metrics.pendingJobs()).containsExactly(Map.of(Transition.CREATE, 0, Transition.DELETE, 0));

        // when: another replica holds the lock at the next tick
        HeldLock elsewhere = world.store.holdLockElsewhere();
        world.pass();
        elsewhere.close();

        // then: the tick still counted the queue (one report per tick), as it stood: three creates pending
        assertThat(world.metrics.pendingJobs()).hasSize(2)
                .last().isEqualTo(Map.of(Transition.CREATE, 3, Transition.DELETE, 0));

        // and a nudged pass (a claim's) does not count
        world.pass(preset);
        assertThat(world.metrics.pendingJobs()).hasSize(2);
    }

    @Test
    void givenPaused_passDoesNothingAndReleasesTheLock() {
        // given
        PresetId preset = world.preset("python", 3);
        world.store.setPaused(true, T0);

        // when
        PassReport report = world.pass();

        // then
        assertThat(report.skipped()).isEqualTo(PassReport.Skipped.PAUSED);
        assertThat(world.store.snapshotLoads()).isZero();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).isEmpty();
        assertThat(world.events.all()).isEmpty();
        assertThat(world.metrics.paused()).containsExactly(true);
        assertThat(world.metrics.passes()).isEmpty();
        assertThat(world.store.lockHeld()).isFalse();
    }

    @Test
    void givenEmptyPool_passCreatesInstancesInOneBatch() {
        // given
        PresetId preset = world.preset("python", 3);

        // when
        PassReport report = world.pass();

        // then: three prebuilds starting, nothing blocked, one batch, one event each
        PresetPlan plan = planOf(report, preset);
        assertThat(plan.actions()).containsExactly(new PlanAction.Create(3));
        assertThat(report.creates()).isEqualTo(3);
        assertThat(report.failures()).isEmpty();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).containsExactly(id(1), id(2), id(3));
        assertThat(world.store.enqueueCreatesBatches()).containsExactly(3);
        assertThat(world.store.snapshotLoads()).as("one consistent read per pass").isEqualTo(1);
        assertThat(world.events.ofType(EventType.CREATE_STARTED)).extracting(Event::workspace)
                .containsExactly(id(1), id(2), id(3));
        assertThat(world.metrics.passes()).containsExactly(report);
    }

    @Test
    void givenEmptyPoolLargerThanTheInFlightCap_passCreatesFiveAndSaysWhy() {
        // given: 8 wanted, default max-in-flight-creates-per-preset 5
        PresetId preset = world.preset("python", 8);

        // when
        PassReport first = world.pass();
        PassReport second = world.pass();

        // then: 5 now, with the guard named; none more while those 5 are starting
        assertThat(planOf(first, preset).actions()).containsExactly(
                new PlanAction.Create(5), new PlanAction.Blocked(BlockReason.IN_FLIGHT_CAP, 8, 5, null));
        assertThat(planOf(second, preset).actions()).containsExactly(
                new PlanAction.Blocked(BlockReason.IN_FLIGHT_CAP, 3, 0, null));
        assertThat(second.creates()).isZero();
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).hasSize(5);
    }

    @Test
    void givenOnePresetWhosePlanningThrows_theOthersStillGetTheirCreates() {
        // given: "broken" has a TTL so long that now − ttl is before the first representable instant, which
        // makes planning throw (stored data the validator would have rejected); "good" is an ordinary empty pool
        PresetId broken = world.apply("broken", "v1", preset("small", 2, Duration.ofDays(1_000_000_000_000L))).get(0);
        PresetId good = world.preset("good", 2);

        // when
        PassReport report = world.pass();

        // then
        assertThat(report.failures()).containsOnlyKeys(broken);
        assertThat(report.failures().get(broken)).startsWith("planning failed");
        assertThat(report.plans()).extracting(PresetPlan::id).containsExactly(good);
        assertThat(world.store.prebuilds(good, Phase.STARTING)).hasSize(2);
        assertThat(world.store.prebuilds(broken, Phase.STARTING)).isEmpty();
        assertThat(report.creates()).isEqualTo(2);
    }

    @Test
    void givenEnqueueingCreatesFailsForOnePreset_theOthersStillGetTheirCreatesAndTheirDeletes() {
        // given: three empty pools; "bad" also has an expired prebuild, and its creates cannot be stored
        PresetId alpha = world.preset("alpha", 2);
        PresetId bad = world.apply("bad", "v1", preset("small", 2, Duration.ofHours(1))).get(0);
        PresetId zulu = world.preset("zulu", 1);
        WorkspaceId old = world.store.seedReadyPrebuild(bad, id(900), T0.minus(Duration.ofHours(2)), Map.of());
        world.store.failEnqueueCreatesFor(bad);

        // when
        PassReport report = world.pass();

        // then: the batch fell back to preset by preset; only "bad" lost its creates
        assertThat(report.failures()).containsOnlyKeys(bad);
        assertThat(report.failures().get(bad)).startsWith("enqueueing creates failed");
        assertThat(world.store.prebuilds(alpha, Phase.STARTING)).hasSize(2);
        assertThat(world.store.prebuilds(zulu, Phase.STARTING)).hasSize(1);
        assertThat(world.store.prebuilds(bad, Phase.STARTING)).isEmpty();
        assertThat(report.creates()).isEqualTo(3);
        // its deletes are a separate batch and went ahead
        assertThat(world.store.phaseOf(old)).contains(Phase.DELETING);
        assertThat(report.deletes()).isEqualTo(1);
        // no create_started for creates that were never stored
        assertThat(world.events.of(bad, EventType.CREATE_STARTED)).isEmpty();
        assertThat(world.events.of(bad, EventType.DELETE_STARTED)).hasSize(1);
        assertThat(world.events.ofType(EventType.CREATE_STARTED)).hasSize(3);
    }

    @Test
    void givenGlobalPendingCap_emptiestPoolsGetTheirCreatesFirst() {
        // given: max-pending-jobs 5 with one create already queued, so room for 4
        world.reconcileSettings = new ReconcileSettings(PlannerSettings.DEFAULTS, 5);
        PresetId alpha = world.preset("alpha", 3);      // 2 of 3 ready: fullest
        PresetId bravo = world.preset("bravo", 3);      // 0 of 3
        PresetId charlie = world.preset("charlie", 2);  // 0 of 2: as empty as bravo, later by id
        PresetId delta = world.preset("delta", 1);      // its one create is queued already
        world.store.seedReadyPrebuild(alpha, id(901), T0.minusSeconds(60), Map.of());
        world.store.seedReadyPrebuild(alpha, id(902), T0.minusSeconds(60), Map.of());
        world.pass(delta);
        assertThat(world.store.prebuilds(delta, Phase.STARTING)).hasSize(1);

        // when
        PassReport report = world.pass();

        // then
        assertThat(planOf(report, bravo).actions()).containsExactly(new PlanAction.Create(3));
        assertThat(planOf(report, charlie).actions()).containsExactly(
                new PlanAction.Create(1), new PlanAction.Blocked(BlockReason.PENDING_CAP, 2, 1, null));
        assertThat(planOf(report, alpha).actions()).containsExactly(
                new PlanAction.Blocked(BlockReason.PENDING_CAP, 1, 0, null));
        assertThat(planOf(report, delta).isIdle()).isTrue();
        assertThat(report.creates()).isEqualTo(4);
        assertThat(world.store.jobs(Transition.CREATE, "pending")).hasSize(5);
    }

    @Test
    void givenPendingCapReached_deletesStillProceed() {
        // given: cap 1, already used; an expired prebuild to replace
        world.reconcileSettings = new ReconcileSettings(PlannerSettings.DEFAULTS, 1);
        PresetId filler = world.preset("filler", 1);
        world.pass(filler);
        PresetId preset = world.apply("python", "v1", preset("small", 1, Duration.ofHours(1))).get(0);
        WorkspaceId expired = world.store.seedReadyPrebuild(preset, id(900), T0.minus(Duration.ofHours(1)), Map.of());

        // when
        PassReport report = world.pass();

        // then: the delete went ahead, the replacement waits for room
        assertThat(world.store.phaseOf(expired)).contains(Phase.DELETING);
        assertThat(planOf(report, preset).blocked()).map(PlanAction.Blocked::reason).contains(BlockReason.PENDING_CAP);
        assertThat(world.store.prebuilds(preset, Phase.STARTING)).isEmpty();
    }

    @Test
    void givenInactivePreset_queuedCreatesAreCanceledAndItsPrebuildsDeleted() {
        // given: v1 with 2 ready prebuilds, 1 recently failed, 3 creates of which a worker has taken 1
        PresetId v1 = world.apply("python", "v1", preset("small", 5)).get(0);
        WorkspaceId ready1 = world.store.seedReadyPrebuild(v1, id(901), T0.minusSeconds(120), Map.of());
        WorkspaceId ready2 = world.store.seedReadyPrebuild(v1, id(902), T0.minusSeconds(60), Map.of());
        WorkspaceId failed = world.store.seedFailedPrebuild(v1, id(903), T0.minusSeconds(30));
        world.pass();
        CompletableFuture<WorkerStep> taken = world.startStep();
        WorkspaceId takenWorkspace = world.provisioner.lastCall().request().workspace();
        List<WorkspaceId> queued = world.store.prebuilds(v1, Phase.STARTING).stream()
                .filter(w -> !w.equals(takenWorkspace)).toList();
        assertThat(queued).hasSize(2);

        // when: v2 is published, so v1's preset is no longer active
        PresetId v2 = world.apply("python", "v2", preset("small", 1)).get(0);
        world.events.clear();
        PassReport report = world.pass();

        // then: v1 deletes everything it may, cancels what no worker took, creates nothing
        PresetPlan plan = planOf(report, v1);
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).containsExactly(ready1, ready2, failed);
        assertThat(plan.deletes()).extracting(PlanAction.Delete::reason).containsOnly(DeleteReason.INACTIVE);
        assertThat(plan.cancels()).isEqualTo(2);
        assertThat(plan.creates()).isZero();
        assertThat(report.cancels()).isEqualTo(2);
        assertThat(List.of(ready1, ready2, failed)).allSatisfy(w -> assertThat(world.store.phaseOf(w)).contains(Phase.DELETING));
        assertThat(queued).as("never provisioned: marked deleted, kept for history")
                .allSatisfy(w -> assertThat(world.store.phaseOf(w)).contains(Phase.DELETED));
        assertThat(world.store.phaseOf(takenWorkspace)).as("a taken build is never interrupted").contains(Phase.STARTING);
        assertThat(world.events.of(v1, EventType.DELETE_STARTED)).extracting(e -> e.details().get("reason"))
                .containsExactly("INACTIVE", "INACTIVE", "INACTIVE");
        // and v2 fills its own pool
        assertThat(world.store.prebuilds(v2, Phase.STARTING)).hasSize(1);

        // when the taken create finishes, the next pass deletes that prebuild too
        world.provisioner.lastCall().succeed(Map.of());
        assertThat(taken).isCompletedWithValue(WorkerStep.SUCCEEDED);
        PassReport after = world.pass();
        assertThat(planOf(after, v1).deletes()).extracting(PlanAction.Delete::workspace).containsExactly(takenWorkspace);
    }

    @Test
    void givenDeprecatedTemplate_itsPrebuildsAreDeletedAsInactive() {
        // given
        PresetId preset = world.preset("python", 1);
        WorkspaceId ready = world.store.seedReadyPrebuild(preset, id(901), T0.minusSeconds(60), Map.of());
        world.store.apply(Presets.document(
                Presets.deprecated("python", "v1", preset("small", 1))), T0);

        // when
        PassReport report = world.pass();

        // then
        assertThat(planOf(report, preset).deletes()).containsExactly(
                new PlanAction.Delete(ready, T0.minusSeconds(60), DeleteReason.INACTIVE));
        assertThat(planOf(report, preset).creates()).isZero();
    }

    @Test
    void givenExpiredPrebuild_passDeletesAndReplacesItWithEvents() {
        // given: TTL 1h; one prebuild exactly 1h old (expired), one 30 min old
        PresetId preset = world.apply("python", "v1", preset("small", 2, Duration.ofHours(1))).get(0);
        WorkspaceId old = world.store.seedReadyPrebuild(preset, id(901), T0.minus(Duration.ofHours(1)), Map.of());
        WorkspaceId fresh = world.store.seedReadyPrebuild(preset, id(902), T0.minus(Duration.ofMinutes(30)), Map.of());

        // when
        PassReport report = world.pass();

        // then
        assertThat(planOf(report, preset).actions()).containsExactly(
                new PlanAction.Delete(old, T0.minus(Duration.ofHours(1)), DeleteReason.EXPIRED), new PlanAction.Create(1));
        assertThat(world.store.phaseOf(old)).contains(Phase.DELETING);
        assertThat(world.store.phaseOf(fresh)).contains(Phase.RUNNING);
        assertThat(world.events.types()).containsExactly(EventType.EXPIRED, EventType.DELETE_STARTED, EventType.CREATE_STARTED);
        assertThat(world.events.ofType(EventType.EXPIRED).get(0).workspace()).isEqualTo(old);
        assertThat(world.events.ofType(EventType.EXPIRED).get(0).details()).containsEntry("reason", "EXPIRED");
        assertThat(world.events.ofType(EventType.DELETE_STARTED).get(0).details()).containsEntry("reason", "EXPIRED");
        assertThat(world.events.all()).extracting(Event::at).containsOnly(T0);
    }

    @Test
    void givenPoolLowered_theOldestExtraneousPrebuildsAreDeleted() {
        // given: 3 ready, then the policy changes in place to 1
        PresetId preset = world.preset("python", 3);
        WorkspaceId a = world.store.seedReadyPrebuild(preset, id(903), T0.minusSeconds(300), Map.of());
        WorkspaceId b = world.store.seedReadyPrebuild(preset, id(902), T0.minusSeconds(300), Map.of());
        world.store.seedReadyPrebuild(preset, id(901), T0.minusSeconds(100), Map.of());
        world.apply("python", "v1", preset("small", 1));

        // when
        PassReport report = world.pass();

        // then: oldest first, equal instants ordered by id text
        assertThat(planOf(report, preset).deletes()).extracting(PlanAction.Delete::workspace, PlanAction.Delete::reason)
                .containsExactly(tuple(b, DeleteReason.EXTRANEOUS),
                        tuple(a, DeleteReason.EXTRANEOUS));
        assertThat(report.creates()).isZero();
    }

    @Test
    void givenFailedPrebuild_itIsDeletedOnlyOnceTheRetentionHasPassed() {
        // given: a failed prebuild, failed-retention 15 min by default; the pool is otherwise full
        PresetId preset = world.preset("python", 1);
        world.store.seedReadyPrebuild(preset, id(901), T0, Map.of());
        WorkspaceId failed = world.store.seedFailedPrebuild(preset, id(902), T0);

        // when / then: kept just before the retention, deleted at it
        world.clock.set(T0.plus(Duration.ofMinutes(15)).minusMillis(1));
        assertThat(world.pass().deletes()).isZero();
        world.clock.set(T0.plus(Duration.ofMinutes(15)));
        PassReport report = world.pass();
        assertThat(planOf(report, preset).deletes()).extracting(PlanAction.Delete::reason).containsExactly(DeleteReason.FAILED_CLEANUP);
        assertThat(world.store.phaseOf(failed)).contains(Phase.DELETING);
    }

    @Test
    void givenScopeOfOnePreset_onlyThatPresetIsTouched() {
        // given
        PresetId nudged = world.preset("alpha", 2);
        PresetId other = world.preset("bravo", 2);

        // when
        PassReport report = world.pass(nudged);

        // then
        assertThat(report.plans()).extracting(PresetPlan::id).containsExactly(nudged);
        assertThat(world.store.prebuilds(nudged, Phase.STARTING)).hasSize(2);
        assertThat(world.store.prebuilds(other, Phase.STARTING)).isEmpty();
        assertThat(world.events.all()).extracting(Event::preset).containsOnly(nudged);
    }

    @Test
    void givenWorkersSucceed_passesConvergeToDesiredAndThenIdle() {
        // given: one pool larger than the in-flight cap, one smaller
        PresetId big = world.preset("big", 7);
        PresetId small = world.preset("small", 2);

        // when: pass, workers, pass, workers, pass
        PassReport first = world.pass();
        assertThat(world.drainSucceeding()).hasSize(7).containsOnly(WorkerStep.SUCCEEDED);
        PassReport second = world.pass();
        assertThat(world.drainSucceeding()).hasSize(2).containsOnly(WorkerStep.SUCCEEDED);
        PassReport third = world.pass();

        // then
        assertThat(first.creates()).isEqualTo(7);
        assertThat(second.creates()).isEqualTo(2);
        assertThat(planOf(third, big).state().eligible()).hasSize(7);
        assertThat(planOf(third, small).state().eligible()).hasSize(2);
        assertThat(third.plans()).allSatisfy(p -> {
            assertThat(p.isIdle()).isTrue();
            assertThat(p.blocked()).isEmpty();
            assertThat(p.state().eligible()).hasSize(p.state().desired());
        });
        assertThat(third.creates() + third.deletes() + third.cancels()).isZero();
        assertThat(world.store.prebuilds(big, Phase.RUNNING)).hasSize(7);
    }

    @Test
    void givenTakingTheLockTakesTime_theReportedPassIntervalLiesInsideTheLockHold() {
        // given: taking the lock takes 40 ms (it opens a connection), publishing the events 7 ms, and the
        // lock is released 3 ms after the pass is done; the clock records when the lock is held
        PresetId preset = world.preset("python", 3);
        java.util.List<java.time.Instant> heldFrom = new java.util.ArrayList<>();
        java.util.List<java.time.Instant> heldUntil = new java.util.ArrayList<>();
        io.warmpool.application.port.out.ReconciliationLockPort slowLock = () -> {
            world.clock.advance(Duration.ofMillis(40));
            return world.store.tryAcquire().map(inner -> {
                heldFrom.add(world.clock.instant());
                return () -> {
                    world.clock.advance(Duration.ofMillis(3));
                    heldUntil.add(world.clock.instant());
                    inner.close();
                };
            });
        };
        io.warmpool.application.port.out.EventSinkPort slowEvents = events -> {
            world.clock.advance(Duration.ofMillis(7));
            world.events.publish(events);
        };
        ReconcilePresetsService reconciler = world.injectorWith(binder -> {
            binder.bind(io.warmpool.application.port.out.ReconciliationLockPort.class).toInstance(slowLock);
            binder.bind(io.warmpool.application.port.out.EventSinkPort.class).toInstance(slowEvents);
        }).getInstance(ReconcilePresetsService.class);

        // when
        PassReport report = reconciler.reconcile(io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope.ALL);

        // then: started once the lock was held, and its duration covers the events it wrote
        assertThat(report.ran()).isTrue();
        assertThat(planOf(report, preset).creates()).isEqualTo(3);
        assertThat(report.startedAt()).isEqualTo(heldFrom.get(0)).isEqualTo(T0.plusMillis(40));
        assertThat(report.duration()).isEqualTo(Duration.ofMillis(7));
        assertThat(report.startedAt().plus(report.duration())).isBefore(heldUntil.get(0));
    }
}
