package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of R2 and R9 over arbitrary snapshots. */
class PlanPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final PresetId ID = new PresetId("t", "v1", "p");

    @Property
    void aPlanNeverCreatesMoreThanDesired(@ForAll("snapshots") PresetSnapshot snapshot, @ForAll("settings") PlannerSettings settings) {
        PresetPlan plan = new Planner(settings).plan(snapshot, NOW);
        assertThat(plan.creates()).isLessThanOrEqualTo(plan.state().desired());
    }

    @Property
    void aPlanOnlyDeletesRunningOrFailedPrebuilds_neverStartingOrClaimedOnes(@ForAll("snapshots") PresetSnapshot snapshot) {
        // Starting and claimed workspaces are not in the running or failed lists, so they can only be deleted
        // if the planner invented ids: it must never.
        Set<WorkspaceId> deletable = new HashSet<>();
        snapshot.running().forEach(p -> deletable.add(p.id()));
        snapshot.failed().forEach(f -> deletable.add(f.id()));
        PresetPlan plan = new Planner(PlannerSettings.DEFAULTS).plan(snapshot, NOW);
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).allMatch(deletable::contains);
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).doesNotHaveDuplicates();
    }

    @Property
    void whileFailuresAreCounted_atMostOneCreateIsInFlight(@ForAll("snapshots") PresetSnapshot snapshot) {
        PresetPlan plan = new Planner(PlannerSettings.DEFAULTS).plan(snapshot, NOW);
        if (snapshot.failure().consecutiveFailures() > 0 && plan.creates() > 0) {
            assertThat(snapshot.inFlight().starting() + plan.creates()).isEqualTo(1);
        }
    }

    @Property
    void theInFlightCapIsNeverExceededByAPlan(@ForAll("snapshots") PresetSnapshot snapshot, @ForAll("settings") PlannerSettings settings) {
        PresetPlan plan = new Planner(settings).plan(snapshot, NOW);
        if (plan.creates() > 0) {
            assertThat(snapshot.inFlight().starting() + plan.creates()).isLessThanOrEqualTo(settings.maxInFlightCreatesPerPreset());
        }
    }

    @Property
    void planningIsDeterministic(@ForAll("snapshots") PresetSnapshot snapshot) {
        Planner planner = new Planner(PlannerSettings.DEFAULTS);
        assertThat(planner.plan(snapshot, NOW)).isEqualTo(planner.plan(snapshot, NOW));
    }

    @Property
    void applyingPlansRepeatedlyWithoutFailuresConvergesToEligibleEqualsDesired(
            @ForAll("healthySnapshots") PresetSnapshot start, @ForAll("settings") PlannerSettings settings) {
        Planner planner = new Planner(settings);
        PresetSnapshot current = start;
        Instant now = NOW;
        int fresh = 0;
        int rounds = 0;
        // Each round: plan; deletes happen; creates (planned or already starting) succeed before the next round.
        while (rounds++ < 500) {
            PresetPlan plan = planner.plan(current, now);
            if (plan.isIdle() && current.inFlight().starting() == 0) {
                break;
            }
            Set<WorkspaceId> gone = new HashSet<>();
            plan.deletes().forEach(d -> gone.add(d.workspace()));
            List<Prebuild> running = new ArrayList<>();
            current.running().stream().filter(p -> !gone.contains(p.id())).forEach(running::add);
            List<FailedPrebuild> failed = current.failed().stream().filter(f -> !gone.contains(f.id())).toList();
            now = now.plusSeconds(15);
            for (int i = 0; i < plan.creates() + current.inFlight().starting(); i++) {
                running.add(new Prebuild(new WorkspaceId(new UUID(1, fresh++)), now));
            }
            current = new PresetSnapshot(current.id(), current.activity(), current.policy(), current.invalidatedAt(),
                    current.failure(), running, failed, InFlight.NONE);
        }
        PresetState end = PresetState.of(current, now);
        assertThat(end.eligible()).hasSize(end.desired());
        assertThat(end.expired()).isEmpty();
    }

    @Provide
    Arbitrary<PlannerSettings> settings() {
        return Combinators.combine(Arbitraries.integers().between(0, 60), Arbitraries.integers().between(1, 10))
                .as((minutes, cap) -> new PlannerSettings(Duration.ofMinutes(minutes), cap));
    }

    @Provide
    Arbitrary<PresetSnapshot> snapshots() {
        return snapshots(failureStates());
    }

    @Provide
    Arbitrary<PresetSnapshot> healthySnapshots() {
        return snapshots(Arbitraries.just(FailureState.initial())).filter(s -> s.activity().isActive());
    }

    private Arbitrary<PresetSnapshot> snapshots(Arbitrary<FailureState> failures) {
        Arbitrary<Activity> activity = Combinators.combine(
                        Arbitraries.of(true, true, true, false), Arbitraries.of(false, false, true), Arbitraries.of(false, false, true))
                .as(Activity::new);
        Arbitrary<Duration> ttl = Arbitraries.of(Duration.ZERO, Duration.ofMinutes(30), Duration.ofHours(2));
        Arbitrary<Instant> invalidatedAt = Arbitraries.longs().between(0, 3 * 3600).map(s -> NOW.minusSeconds(s)).injectNull(0.5);
        Arbitrary<List<Long>> runningAges = Arbitraries.longs().between(0, 4 * 3600).list().ofMaxSize(15);
        Arbitrary<List<Long>> failedAges = Arbitraries.longs().between(0, 3600).list().ofMaxSize(5);
        Arbitrary<InFlight> inFlight = Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 3)).as((s, q, d) -> new InFlight(s, Math.min(q, s), d));
        return Combinators.combine(activity, Arbitraries.integers().between(0, 12), ttl, invalidatedAt, failures, runningAges, failedAges, inFlight)
                .as((act, instances, t, inv, failure, ages, failedAgeList, flight) -> {
                    List<Prebuild> running = new ArrayList<>();
                    for (int i = 0; i < ages.size(); i++) {
                        running.add(new Prebuild(new WorkspaceId(new UUID(0, i)), NOW.minusSeconds(ages.get(i))));
                    }
                    List<FailedPrebuild> failed = new ArrayList<>();
                    for (int i = 0; i < failedAgeList.size(); i++) {
                        Instant failedAt = NOW.minusSeconds(failedAgeList.get(i));
                        failed.add(new FailedPrebuild(new WorkspaceId(new UUID(2, i)), failedAt.minusSeconds(60), failedAt));
                    }
                    return new PresetSnapshot(ID, act, new PrebuildPolicy(instances, t, PrebuildSchedule.none()), inv,
                            failure, running, failed, flight);
                });
    }

    private Arbitrary<FailureState> failureStates() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.longs().between(-120, 120),
                        Arbitraries.of(PresetStatus.values()))
                .as((k, offset, status) -> k == 0
                        ? new FailureState(0, null, null, status)
                        : new FailureState(k, NOW.minusSeconds(200), NOW.plusSeconds(offset), status));
    }
}
