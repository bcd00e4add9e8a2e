package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Properties of R2 and R9 over generated snapshots: 1,000 cases each from a fixed seed ({@link Property}). */
class PlanPropertiesTest {

    private static final int TRIES = 1_000;
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final PresetId ID = new PresetId("t", "v1", "p");

    private record WithSettings(PresetSnapshot snapshot, PlannerSettings settings) {
    }

    private static Gen<WithSettings> withSettings(Gen<PresetSnapshot> snapshots) {
        Gen<PlannerSettings> settings = settings();
        return random -> new WithSettings(snapshots.next(random), settings.next(random));
    }

    @Test
    void aPlanNeverCreatesMoreThanDesired() {
        Property.forAll(8801, TRIES, withSettings(snapshots()), input -> {
            PresetPlan plan = new Planner(input.settings()).plan(input.snapshot(), NOW);
            assertThat(plan.creates()).isLessThanOrEqualTo(plan.state().desired());
        });
    }

    @Test
    void aPlanOnlyDeletesRunningOrFailedPrebuilds_neverStartingOrClaimedOnes() {
        Property.forAll(8802, TRIES, snapshots(), snapshot -> {
            // Starting and claimed workspaces are not in the running or failed lists, so they can only be deleted
            // if the planner invented ids: it must never.
            Set<WorkspaceId> deletable = new HashSet<>();
            snapshot.running().forEach(p -> deletable.add(p.id()));
            snapshot.failed().forEach(f -> deletable.add(f.id()));
            PresetPlan plan = new Planner(PlannerSettings.DEFAULTS).plan(snapshot, NOW);
            assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).allMatch(deletable::contains);
            assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).doesNotHaveDuplicates();
        });
    }

    @Test
    void whileFailuresAreCounted_atMostOneCreateIsInFlight() {
        Property.forAll(8803, TRIES, snapshots(), snapshot -> {
            PresetPlan plan = new Planner(PlannerSettings.DEFAULTS).plan(snapshot, NOW);
            if (snapshot.failure().consecutiveFailures() > 0 && plan.creates() > 0) {
                assertThat(snapshot.inFlight().starting() + plan.creates()).isEqualTo(1);
            }
        });
    }

    @Test
    void theInFlightCapIsNeverExceededByAPlan() {
        Property.forAll(8804, TRIES, withSettings(snapshots()), input -> {
            PresetPlan plan = new Planner(input.settings()).plan(input.snapshot(), NOW);
            if (plan.creates() > 0) {
                assertThat(input.snapshot().inFlight().starting() + plan.creates())
                        .isLessThanOrEqualTo(input.settings().maxInFlightCreatesPerPreset());
            }
        });
    }

    @Test
    void planningIsDeterministic() {
        Planner planner = new Planner(PlannerSettings.DEFAULTS);
        Property.forAll(8805, TRIES, snapshots(),
                snapshot -> assertThat(planner.plan(snapshot, NOW)).isEqualTo(planner.plan(snapshot, NOW)));
    }

    @Test
    void applyingPlansRepeatedlyWithoutFailuresConvergesToEligibleEqualsDesired() {
        Property.forAll(8806, TRIES, withSettings(healthySnapshots()),
                input -> convergesToEligibleEqualsDesired(input.snapshot(), input.settings()));
    }

    private static void convergesToEligibleEqualsDesired(PresetSnapshot start, PlannerSettings settings) {
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

    // ---- generators -----------------------------------------------------------------------------------------

    private static Gen<PlannerSettings> settings() {
        Gen<Integer> minutes = Gen.ints(0, 60);
        Gen<Integer> cap = Gen.ints(1, 10);
        return random -> new PlannerSettings(Duration.ofMinutes(minutes.next(random)), cap.next(random));
    }

    private static Gen<PresetSnapshot> snapshots() {
        return snapshots(failureStates());
    }

    private static Gen<PresetSnapshot> healthySnapshots() {
        return snapshots(Gen.constant(FailureState.initial())).filter(s -> s.activity().isActive());
    }

    private static Gen<PresetSnapshot> snapshots(Gen<FailureState> failures) {
        Gen<Boolean> mostlyTrue = Gen.of(true, true, true, false);
        Gen<Boolean> mostlyFalse = Gen.of(false, false, true);
        Gen<Activity> activity = random -> new Activity(mostlyTrue.next(random), mostlyFalse.next(random),
                mostlyFalse.next(random));
        Gen<Integer> instances = Gen.ints(0, 12);
        Gen<Duration> ttl = Gen.of(Duration.ZERO, Duration.ofMinutes(30), Duration.ofHours(2));
        Gen<Instant> invalidatedAt = Gen.longs(0, 3 * 3600).map(NOW::minusSeconds).orNull(0.5);
        Gen<List<Long>> runningAges = Gen.longs(0, 4 * 3600).list(0, 15);
        Gen<List<Long>> failedAges = Gen.longs(0, 3600).list(0, 5);
        Gen<Integer> upToSix = Gen.ints(0, 6);
        Gen<Integer> upToThree = Gen.ints(0, 3);
        Gen<InFlight> inFlight = random -> {
            int starting = upToSix.next(random);
            int queued = upToSix.next(random);
            return new InFlight(starting, Math.min(queued, starting), upToThree.next(random));
        };
        return random -> {
            Activity act = activity.next(random);
            int n = instances.next(random);
            Duration t = ttl.next(random);
            Instant inv = invalidatedAt.next(random);
            FailureState failure = failures.next(random);
            List<Long> ages = runningAges.next(random);
            List<Long> failedAgeList = failedAges.next(random);
            InFlight flight = inFlight.next(random);
            List<Prebuild> running = new ArrayList<>();
            for (int i = 0; i < ages.size(); i++) {
                running.add(new Prebuild(new WorkspaceId(new UUID(0, i)), NOW.minusSeconds(ages.get(i))));
            }
            List<FailedPrebuild> failed = new ArrayList<>();
            for (int i = 0; i < failedAgeList.size(); i++) {
                Instant failedAt = NOW.minusSeconds(failedAgeList.get(i));
                failed.add(new FailedPrebuild(new WorkspaceId(new UUID(2, i)), failedAt.minusSeconds(60), failedAt));
            }
            return new PresetSnapshot(ID, act, new PrebuildPolicy(n, t, PrebuildSchedule.none()), inv,
                    failure, running, failed, flight);
        };
    }

    private static Gen<FailureState> failureStates() {
        Gen<Integer> failures = Gen.ints(0, 6);
        Gen<Long> offset = Gen.longs(-120, 120);
        Gen<PresetStatus> status = Gen.of(PresetStatus.class);
        return random -> {
            int k = failures.next(random);
            long off = offset.next(random);
            PresetStatus st = status.next(random);
            return k == 0
                    ? new FailureState(0, null, null, st)
                    : new FailureState(k, NOW.minusSeconds(200), NOW.plusSeconds(off), st);
        };
    }
}
