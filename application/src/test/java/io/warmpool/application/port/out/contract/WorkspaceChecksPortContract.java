package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.READY_AFTER;
import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.DeleteRequest;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspaceChecksPort.DueCheck;
import io.warmpool.application.port.out.WorkspaceChecksPort.Kind;
import io.warmpool.application.port.out.WorkspacePort.Phase;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link WorkspaceChecksPort} (SPEC R10 readiness, R11 liveness), and of what readiness changes in
 * {@code BuildQueuePort.complete}, the snapshot and claims.
 */
public abstract class WorkspaceChecksPortContract extends PortContract {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final PresetRef READY_REF = new PresetRef("python-dev", "small");
    /** The R3 success: k := 0, hard_limited lifted. */
    private static final Function<FailureState, FailureTransition> SUCCESS =
            s -> new FailureTransition(s, new FailureState(0, null, null,
                    s.status() == PresetStatus.HARD_LIMITED ? PresetStatus.HEALTHY : s.status()));
    private static final Function<FailureState, FailureTransition> ONE_MORE_FAILURE =
            s -> new FailureTransition(s, new FailureState(s.consecutiveFailures() + 1, T0, T0.plusSeconds(60), s.status()));

    private WorkspaceChecksPort checks() {
        return store.checks();
    }

    private PresetId preset(Readiness readiness, Liveness health) {
        return seed.preset("python-dev", "small",
                new PrebuildPolicy(3, Duration.ZERO, PrebuildSchedule.none(), readiness, health));
    }

    private PresetId provisionerReadiness() {
        return preset(new Readiness(Readiness.Check.PROVISIONER, TIMEOUT), null);
    }

    private ClaimPort.Attempt claim(Instant at) {
        return store.claims().claim(READY_REF, "alice", "alice-dev", at);
    }

    @Test
    void givenReadiness_aSucceededCreateIsProvisioned_startingNotEligible_andNoR3Success() {
        PresetId preset = provisionerReadiness();
        seed.failureState(preset, new FailureState(2, T0, T0, PresetStatus.HEALTHY));

        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of("url", "x"));

        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.PROVISIONED);
        PresetSnapshot snapshot = seed.snapshot(preset);
        assertThat(snapshot.running()).isEmpty();
        assertThat(snapshot.inFlight().starting()).isEqualTo(1);
        assertThat(snapshot.inFlight().provisioned()).isEqualTo(1);
        assertThat(snapshot.policy().readiness()).isEqualTo(new Readiness(Readiness.Check.PROVISIONER, TIMEOUT));
        assertThat(snapshot.failure().consecutiveFailures()).as("no R3 success yet").isEqualTo(2);
        assertThat(claim(T0.plusSeconds(10))).isInstanceOf(ClaimPort.Missed.class);
    }

    @Test
    void aProvisionerReadinessCheckIsDueAtOnce_leasedWhileTaken_andDueAgainAfterTheLease() {
        PresetId preset = provisionerReadiness();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of("url", "x"));
        Instant done = T0.plus(READY_AFTER);

        Optional<DueCheck> taken = checks().takeDueCheck(done, LEASE);
        assertThat(taken).get().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.READINESS);
            assertThat(c.workspace()).isEqualTo(ws);
            assertThat(c.preset()).isEqualTo(preset);
            assertThat(c.outputs()).containsEntry("url", "x");
            assertThat(c.parameters()).containsEntry("cpu", "2");
        });
        assertThat(checks().takeDueCheck(done, LEASE)).as("leased").isEmpty();
        assertThat(checks().takeDueCheck(done.plus(LEASE), LEASE)).as("lease over").isPresent();
    }

    @Test
    void anAgentReadinessPreset_hasNoProvisionerChecks() {
        PresetId preset = preset(new Readiness(Readiness.Check.AGENT, TIMEOUT), null);
        seed.runningPrebuild(preset, T0, Map.of());
        assertThat(checks().takeDueCheck(T0.plus(Duration.ofMinutes(1)), LEASE)).isEmpty();
    }

    @Test
    void markReady_makesItRunningAndClaimable_withTheR3SuccessInTheSameTransaction_once() {
        PresetId preset = provisionerReadiness();
        seed.failureState(preset, new FailureState(3, T0, T0, PresetStatus.HARD_LIMITED));
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());

        Optional<FailureTransition> t = checks().markReady(ws, T0.plusSeconds(20), SUCCESS);

        assertThat(t).get().extracting(x -> x.after().consecutiveFailures()).isEqualTo(0);
        assertThat(seed.failureState(preset)).isEqualTo(new FailureState(0, null, null, PresetStatus.HEALTHY));
        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.RUNNING);
        assertThat(seed.snapshot(preset).inFlight().starting()).isZero();
        assertThat(checks().markReady(ws, T0.plusSeconds(21), SUCCESS)).as("already ready").isEmpty();
        assertThat(checks().takeDueCheck(T0.plus(Duration.ofHours(1)), LEASE)).as("no health: no checks").isEmpty();
        assertThat(claim(T0.plusSeconds(30))).isInstanceOf(ClaimPort.Claimed.class);
    }

    @Test
    void theWaitersHearOfAPrebuildWhenItBecomesReady_notWhenItIsProvisioned() throws InterruptedException {
        PresetId preset = provisionerReadiness();
        java.util.concurrent.BlockingQueue<PresetId> heard = new java.util.concurrent.LinkedBlockingQueue<>();
        try (var subscription = store.waiters().listen(heard::add)) {
            WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
            assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).as("provisioned: not eligible").isNull();

            checks().markReady(ws, T0.plusSeconds(20), SUCCESS);

            assertThat(heard.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(preset);
        }
    }

    @Test
    void failReadiness_makesItAFailedPrebuild_countingTheFailure() {
        PresetId preset = provisionerReadiness();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        Instant at = T0.plusSeconds(40);

        assertThat(checks().failReadiness(ws, at, ONE_MORE_FAILURE)).isPresent();

        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.FAILED);
        PresetSnapshot snapshot = seed.snapshot(preset);
        assertThat(snapshot.failed()).singleElement().satisfies(f -> assertThat(f.failedAt()).isEqualTo(at));
        assertThat(snapshot.failure().consecutiveFailures()).isEqualTo(1);
        assertThat(checks().failReadiness(ws, at, ONE_MORE_FAILURE)).isEmpty();
        assertThat(checks().markReady(ws, at, SUCCESS)).isEmpty();
        assertThat(seed.failureState(preset).consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void failOverdue_failsAtTheDeadlineExactly_eachCounting() {
        PresetId preset = provisionerReadiness();
        WorkspaceId a = seed.runningPrebuild(preset, T0, Map.of());
        WorkspaceId b = seed.runningPrebuild(preset, T0.plusMillis(1), Map.of());
        Instant deadline = T0.plus(READY_AFTER).plus(TIMEOUT);

        assertThat(checks().failOverdue(deadline.minusMillis(1), ONE_MORE_FAILURE)).isEmpty();
        List<WorkspaceChecksPort.TimedOut> out = checks().failOverdue(deadline, ONE_MORE_FAILURE);

        assertThat(out).extracting(WorkspaceChecksPort.TimedOut::workspace).containsExactly(a);
        assertThat(out.get(0).preset()).isEqualTo(preset);
        assertThat(seed.failureState(preset).consecutiveFailures()).isEqualTo(1);
        assertThat(checks().failOverdue(deadline.plusMillis(1), ONE_MORE_FAILURE))
                .extracting(WorkspaceChecksPort.TimedOut::workspace).containsExactly(b);
        assertThat(seed.failureState(preset).consecutiveFailures()).isEqualTo(2);
        assertThat(seed.workspace(a).phase()).isEqualTo(Phase.FAILED);
    }

    @Test
    void rescheduleOfAReadinessCheck_movesTheNextCheck_onlyWhileProvisioned() {
        PresetId preset = provisionerReadiness();
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        Instant done = T0.plus(READY_AFTER);
        checks().takeDueCheck(done, LEASE).orElseThrow();

        assertThat(checks().reschedule(Kind.READINESS, ws, 0, done.plusSeconds(5))).isTrue();
        assertThat(checks().takeDueCheck(done.plusSeconds(4), LEASE)).isEmpty();
        assertThat(checks().takeDueCheck(done.plusSeconds(5), LEASE)).isPresent();
        assertThat(checks().reschedule(Kind.LIVENESS, ws, 0, done)).as("not running").isFalse();
    }

    @Test
    void givenHealth_aReadyPrebuildIsCheckedOneIntervalAfterItBecameReady() {
        PresetId preset = preset(null, new Liveness(INTERVAL, 2));
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        Instant ready = T0.plus(READY_AFTER);

        assertThat(checks().takeDueCheck(ready.plus(INTERVAL).minusMillis(1), LEASE)).isEmpty();
        DueCheck check = checks().takeDueCheck(ready.plus(INTERVAL), LEASE).orElseThrow();

        assertThat(check.kind()).isEqualTo(Kind.LIVENESS);
        assertThat(check.workspace()).isEqualTo(ws);
        assertThat(check.unhealthyAfter()).isEqualTo(2);
        assertThat(check.healthInterval()).isEqualTo(INTERVAL);
        assertThat(check.unhealthyAnswers()).isZero();
    }

    @Test
    void unhealthyAnswersAreKept_andMarkUnhealthy_takesItOutOfThePool_forAnUnhealthyDelete() {
        PresetId preset = preset(null, new Liveness(INTERVAL, 2));
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());
        Instant due = T0.plus(READY_AFTER).plus(INTERVAL);
        checks().takeDueCheck(due, LEASE).orElseThrow();
        assertThat(checks().reschedule(Kind.LIVENESS, ws, 1, due.plus(INTERVAL))).isTrue();
        assertThat(checks().takeDueCheck(due.plus(INTERVAL), LEASE)).get()
                .extracting(DueCheck::unhealthyAnswers).isEqualTo(1);

        assertThat(checks().markUnhealthy(ws, due.plus(INTERVAL))).isTrue();

        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.UNHEALTHY);
        PresetSnapshot snapshot = seed.snapshot(preset);
        assertThat(snapshot.running()).isEmpty();
        assertThat(snapshot.unhealthy()).extracting(Prebuild::id).containsExactly(ws);
        assertThat(claim(due.plus(INTERVAL))).isInstanceOf(ClaimPort.Missed.class);
        assertThat(checks().markUnhealthy(ws, due.plus(INTERVAL))).isFalse();
        assertThat(checks().takeDueCheck(due.plus(Duration.ofHours(1)), LEASE)).isEmpty();
        assertThat(store.queue().enqueueDeletes(List.of(new DeleteRequest(ws, preset, DeleteRequest.Reason.UNHEALTHY)),
                due.plus(INTERVAL))).isEqualTo(1);
        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.DELETING);
    }

    @Test
    void aClaimedWorkspace_isNeverCheckedNorChangedByALateResult() {
        PresetId preset = preset(null, new Liveness(INTERVAL, 1));
        WorkspaceId ws = seed.claimed(preset, "bob", T0, T0.plusSeconds(10), Map.of());

        assertThat(checks().takeDueCheck(T0.plus(Duration.ofHours(1)), LEASE)).isEmpty();
        assertThat(checks().markUnhealthy(ws, T0.plusSeconds(60))).isFalse();
        assertThat(checks().reschedule(Kind.LIVENESS, ws, 3, T0.plusSeconds(90))).isFalse();
        assertThat(seed.workspace(ws).phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void theAgentTokenHash_isStoredAndRead() {
        PresetId preset = preset(new Readiness(Readiness.Check.AGENT, TIMEOUT), null);
        WorkspaceId ws = seed.runningPrebuild(preset, T0, Map.of());

        assertThat(checks().storeAgentToken(ws, "ab".repeat(32))).isTrue();

        assertThat(checks().agentView(ws)).get().satisfies(v -> {
            assertThat(v.phase()).isEqualTo(Phase.PROVISIONED);
            assertThat(v.prebuild()).isTrue();
            assertThat(v.preset()).isEqualTo(preset);
            assertThat(v.agentTokenSha256()).isEqualTo("ab".repeat(32));
        });
        assertThat(checks().agentTokenOwner("ab".repeat(32))).contains(ws);
        assertThat(checks().agentTokenOwner("cd".repeat(32))).isEmpty();
        assertThat(checks().storeAgentToken(ws, "cd".repeat(32))).as("a new token replaces the old").isTrue();
        assertThat(checks().agentTokenOwner("ab".repeat(32))).isEmpty();
        assertThat(checks().storeAgentToken(new WorkspaceId(java.util.UUID.randomUUID()), "00")).isFalse();
        assertThat(checks().agentView(new WorkspaceId(java.util.UUID.randomUUID()))).isEmpty();
    }

    /** Where the property test's model says a workspace stands. */
    private enum Model { STARTING, PROVISIONED, READY, CLAIMING, UNHEALTHY, FAILED, CLAIMED, DELETING, DELETED }

    @Test
    void whateverTheInterleavingOfChecksClaimsAndDeletes_aPrebuildIsHandedOutAtMostOnce_andOnlyWhenReady() {
        // given a preset with readiness and liveness, and a seeded random interleaving of everything that can
        // happen to its workspaces: creates, readiness and liveness results (also late and stale ones: an agent's
        // call, a liveness result for a workspace claimed meanwhile), timeouts, claims, claim handoffs (R12: reserve,
        // then finish, abandon, or the reaper of stale reservations; also a late finish of a reaped one) and deletes
        PresetId preset = preset(new Readiness(Readiness.Check.PROVISIONER, Duration.ofMinutes(1)), new Liveness(INTERVAL, 2));
        java.util.Random random = new java.util.Random(7);
        io.warmpool.application.port.out.WorkerId worker = new io.warmpool.application.port.out.WorkerId("prop/w1");
        Map<WorkspaceId, Model> model = new java.util.LinkedHashMap<>();
        java.util.function.Supplier<WorkspaceId> any = () -> model.isEmpty() ? null
                : List.copyOf(model.keySet()).get(random.nextInt(model.size()));
        Instant now = T0;
        int claims = 0;
        java.util.Set<Model> seen = java.util.EnumSet.noneOf(Model.class);
        List<ClaimPort.Reservation> open = new java.util.ArrayList<>();
        List<ClaimPort.Reservation> gone = new java.util.ArrayList<>();
        for (int step = 0; step < 400; step++) {
            now = now.plusMillis(random.nextInt(20_000));
            switch (random.nextInt(10)) {
                case 0 -> {
                    var create = PortSeed.creates(preset, 1).get(0);
                    store.queue().enqueueCreates(List.of(create), now);
                    model.put(create.workspace(), Model.STARTING);
                }
                case 1 -> {
                    var job = store.queue().acquire(worker, now);
                    if (job.isPresent()) {
                        store.queue().complete(job.get().id(), worker,
                                new io.warmpool.application.port.out.JobResult.Succeeded(Map.of(), ""), now, SUCCESS);
                        boolean create = job.get().transition() == io.warmpool.application.port.out.Transition.CREATE;
                        assertThat(model.get(job.get().workspace())).isEqualTo(create ? Model.STARTING : Model.DELETING);
                        model.put(job.get().workspace(), create ? Model.PROVISIONED : Model.DELETED);
                    }
                }
                case 2 -> {
                    Optional<DueCheck> due = checks().takeDueCheck(now, LEASE);
                    if (due.isPresent()) {
                        DueCheck check = due.get();
                        assertThat(model.get(check.workspace()))
                                .isEqualTo(check.kind() == Kind.READINESS ? Model.PROVISIONED : Model.READY);
                        // the check answers ready (readiness) half of the time, or later (a reschedule)
                        if (check.kind() == Kind.READINESS && random.nextBoolean()) {
                            assertThat(checks().markReady(check.workspace(), now, SUCCESS)).isPresent();
                            model.put(check.workspace(), Model.READY);
                        } else {
                            checks().reschedule(check.kind(), check.workspace(), 0, now.plusSeconds(5));
                        }
                    }
                }
                case 3 -> {
                    WorkspaceId ws = any.get();
                    if (ws != null) {
                        boolean ready = checks().markReady(ws, now, SUCCESS).isPresent();
                        assertThat(ready).as("ready %s from %s", ws, model.get(ws)).isEqualTo(model.get(ws) == Model.PROVISIONED);
                        if (ready) {
                            model.put(ws, Model.READY);
                        }
                    }
                }
                case 4 -> {
                    WorkspaceId ws = any.get();
                    if (ws != null) {
                        boolean unhealthy = checks().markUnhealthy(ws, now);
                        assertThat(unhealthy).as("unhealthy %s from %s", ws, model.get(ws)).isEqualTo(model.get(ws) == Model.READY);
                        if (unhealthy) {
                            model.put(ws, Model.UNHEALTHY);
                        }
                    }
                }
                case 5 -> {
                    if (random.nextBoolean()) {
                        for (var out : checks().failOverdue(now, ONE_MORE_FAILURE)) {
                            assertThat(model.put(out.workspace(), Model.FAILED)).isEqualTo(Model.PROVISIONED);
                        }
                    } else {
                        WorkspaceId ws = any.get();
                        if (ws != null) {
                            boolean failed = checks().failReadiness(ws, now, ONE_MORE_FAILURE).isPresent();
                            assertThat(failed).isEqualTo(model.get(ws) == Model.PROVISIONED);
                            if (failed) {
                                model.put(ws, Model.FAILED);
                            }
                        }
                    }
                }
                case 6 -> {
                    if (claim(now) instanceof ClaimPort.Claimed c) {
                        // then: only a ready prebuild is handed out, and never one handed out before
                        assertThat(model.put(c.workspace().id(), Model.CLAIMED)).as("claimed %s", c.workspace().id())
                                .isEqualTo(Model.READY);
                        claims++;
                    } else {
                        assertThat(model.values()).doesNotContain(Model.READY);
                    }
                }
                case 8 -> {
                    ClaimPort.Attempt attempt = store.claims().reserve(READY_REF, "bob", "bob-dev", now);
                    if (attempt instanceof ClaimPort.Reserved r) {
                        // then: only a ready prebuild is reserved, and it leaves the pool
                        assertThat(model.put(r.reservation().id(), Model.CLAIMING)).as("reserved %s", r.reservation().id())
                                .isEqualTo(Model.READY);
                        open.add(r.reservation());
                    } else {
                        assertThat(attempt).isInstanceOf(ClaimPort.Missed.class);
                        assertThat(model.values()).doesNotContain(Model.READY);
                    }
                }
                case 9 -> {
                    int what = random.nextInt(4);
                    if (what == 3) {
                        // the reaper of any replica: reservations made 30 s or more ago
                        for (ClaimPort.Abandoned a : store.claims().reapReservations(now.minusSeconds(30), now)) {
                            assertThat(model.put(a.workspace(), Model.DELETING)).isEqualTo(Model.CLAIMING);
                            open.removeIf(r -> r.id().equals(a.workspace()));
                            gone.add(new ClaimPort.Reservation(a.workspace(), a.preset(), "bob", "bob-dev", T0, a.reservedAt(),
                                    Map.of(), Optional.empty()));
                        }
                    } else if (what == 2 && !gone.isEmpty()) {
                        // a late handoff of a reservation already abandoned or reaped: never handed out
                        ClaimPort.Reservation late = gone.get(random.nextInt(gone.size()));
                        assertThat(store.claims().finish(late, Map.of(), now)).as("late finish %s", late.id()).isEmpty();
                    } else if (!open.isEmpty()) {
                        ClaimPort.Reservation r = open.remove(random.nextInt(open.size()));
                        if (what == 0) {
                            assertThat(store.claims().finish(r, Map.of("handed", "over"), now)).as("finish %s", r.id()).isPresent();
                            assertThat(model.put(r.id(), Model.CLAIMED)).isEqualTo(Model.CLAIMING);
                            claims++;
                        } else {
                            assertThat(store.claims().abandon(r, now)).as("abandon %s", r.id()).isTrue();
                            assertThat(model.put(r.id(), Model.DELETING)).isEqualTo(Model.CLAIMING);
                            gone.add(r);
                        }
                    }
                }
                default -> {
                    WorkspaceId ws = any.get();
                    if (ws != null) {
                        DeleteRequest.Reason reason = random.nextBoolean() ? DeleteRequest.Reason.UNHEALTHY
                                : DeleteRequest.Reason.FAILED_CLEANUP;
                        int n = store.queue().enqueueDeletes(List.of(new DeleteRequest(ws, preset, reason)), now);
                        Model before = model.get(ws);
                        assertThat(n).as("delete %s from %s", ws, before).isEqualTo(
                                before == Model.READY || before == Model.UNHEALTHY || before == Model.FAILED ? 1 : 0);
                        if (n == 1) {
                            model.put(ws, Model.DELETING);
                        }
                    }
                }
            }
            seen.addAll(model.values());
            if (step % 50 == 49) {
                for (var e : model.entrySet()) {
                    Phase phase = seed.workspace(e.getKey()).phase();
                    assertThat(phase).as("%s as %s", e.getKey(), e.getValue()).isEqualTo(switch (e.getValue()) {
                        case STARTING -> Phase.STARTING;
                        case PROVISIONED -> Phase.PROVISIONED;
                        case READY, CLAIMED -> Phase.RUNNING;
                        case CLAIMING -> Phase.CLAIMING;
                        case UNHEALTHY -> Phase.UNHEALTHY;
                        case FAILED -> Phase.FAILED;
                        case DELETING -> Phase.DELETING;
                        case DELETED -> Phase.DELETED;
                    });
                }
            }
        }
        assertThat(claims).as("the interleaving exercised claims").isGreaterThan(3);
        assertThat(seen).as("every state was reached").containsExactlyInAnyOrder(Model.values());
    }
}
