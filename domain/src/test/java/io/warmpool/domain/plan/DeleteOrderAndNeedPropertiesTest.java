package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.property.Property;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The readable rules as the production rules: {@link DeleteOrder} is "oldest first, ties by the id's canonical
 * lowercase text" (SPEC R2.3) and is the order of every plan's deletes and of a state's lists; {@link
 * PresetState#need()} is R2.2 (d) and is what a plan creates or says it was blocked from creating.
 *
 * <p>Each property runs {@link #CASES} cases from a fixed seed with the project's harness ({@link Property}), so a
 * failure names its case and replays exactly.
 */
class DeleteOrderAndNeedPropertiesTest {

    private static final int CASES = 2_000;
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Planner PLANNER = new Planner(new PlannerSettings(Duration.ofMinutes(15), 5));

    @Test
    void deleteOrderIsCreatedAtThenTheIdsLowercaseText() {
        Property.forAll(21, CASES, random -> List.of(prebuild(random), prebuild(random)), pair -> {
            Prebuild a = pair.get(0);
            Prebuild b = pair.get(1);
            int byAge = a.createdAt().compareTo(b.createdAt());
            int expected = byAge != 0 ? byAge : a.id().toString().compareTo(b.id().toString());
            assertThat(Integer.signum(DeleteOrder.PREBUILDS.compare(a, b))).isEqualTo(Integer.signum(expected));
            FailedPrebuild fa = new FailedPrebuild(a.id(), a.createdAt(), NOW);
            FailedPrebuild fb = new FailedPrebuild(b.id(), b.createdAt(), NOW);
            assertThat(Integer.signum(DeleteOrder.FAILED.compare(fa, fb))).isEqualTo(Integer.signum(expected));
            PlanAction.Delete da = new PlanAction.Delete(a.id(), a.createdAt(), DeleteReason.EXTRANEOUS);
            PlanAction.Delete db = new PlanAction.Delete(b.id(), b.createdAt(), DeleteReason.EXPIRED);
            assertThat(Integer.signum(DeleteOrder.DELETES.compare(da, db))).isEqualTo(Integer.signum(expected));
        });
    }

    @Test
    void aStateKeepsItsListsInDeleteOrder_whateverTheSnapshotsOrder() {
        Property.forAll(22, CASES, DeleteOrderAndNeedPropertiesTest::snapshot, snapshot -> {
            PresetState state = PresetState.of(snapshot, NOW);
            assertThat(state.running()).isSortedAccordingTo(DeleteOrder.PREBUILDS);
            assertThat(state.eligible()).isSortedAccordingTo(DeleteOrder.PREBUILDS);
            assertThat(state.expired().stream().map(Expired::prebuild).toList())
                    .isSortedAccordingTo(DeleteOrder.PREBUILDS);
            assertThat(state.failed()).isSortedAccordingTo(DeleteOrder.FAILED);
        });
    }

    @Test
    void aPlansDeletesAreInStepOrder_eachStepInDeleteOrder() {
        Property.forAll(23, CASES, DeleteOrderAndNeedPropertiesTest::snapshot, snapshot -> {
            List<PlanAction.Delete> deletes = PLANNER.plan(snapshot, NOW).deletes();
            for (int i = 1; i < deletes.size(); i++) {
                PlanAction.Delete before = deletes.get(i - 1);
                PlanAction.Delete after = deletes.get(i);
                int byStep = Integer.compare(step(before.reason()), step(after.reason()));
                assertThat(byStep).as("steps in order: %s then %s", before, after).isLessThanOrEqualTo(0);
                if (byStep == 0) {
                    assertThat(DeleteOrder.DELETES.compare(before, after))
                            .as("one step in delete order: %s then %s", before, after).isNegative();
                }
            }
        });
    }

    @Test
    void needIsDesiredMinusEligibleMinusStarting_andAPlanCreatesItOrSaysWhatBlockedIt() {
        Property.forAll(24, CASES, DeleteOrderAndNeedPropertiesTest::snapshot, snapshot -> {
            PresetState state = PresetState.of(snapshot, NOW);
            int need = Math.max(state.desired() - state.eligible().size() - state.starting(), 0);
            assertThat(state.need()).isEqualTo(need);
            PresetPlan plan = PLANNER.plan(state);
            if (need == 0) {
                assertThat(plan.creates()).isZero();
                assertThat(plan.blocked()).isEmpty();
            } else if (plan.blocked().isEmpty()) {
                assertThat(plan.creates()).isEqualTo(need);
            } else {
                assertThat(plan.blocked().get().needed()).isEqualTo(need);
                assertThat(plan.blocked().get().allowed()).isEqualTo(plan.creates()).isLessThan(need);
            }
        });
    }

    /** The steps of R2.3, in their order. */
    private static int step(DeleteReason reason) {
        return switch (reason) {
            case INACTIVE -> 0;
            case UNHEALTHY -> 1;
            case EXPIRED, INVALIDATED -> 2;
            case EXTRANEOUS -> 3;
            case FAILED_CLEANUP -> 4;
        };
    }

    // --- generators: few distinct instants and ids with shared high bits, so ties in age are common -----------

    private static Prebuild prebuild(RandomGenerator random) {
        return new Prebuild(id(random), NOW.minusSeconds(60L * random.nextInt(40)));
    }

    private static WorkspaceId id(RandomGenerator random) {
        long[] high = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE};
        return new WorkspaceId(new UUID(high[random.nextInt(high.length)], random.nextLong()));
    }

    private static PresetSnapshot snapshot(RandomGenerator random) {
        Activity activity = random.nextInt(5) == 0
                ? new Activity(random.nextBoolean(), random.nextBoolean(), random.nextBoolean())
                : Activity.ACTIVE;
        Duration ttl = random.nextBoolean() ? Duration.ZERO : Duration.ofMinutes(1 + random.nextInt(30));
        Instant invalidatedAt = random.nextInt(4) == 0 ? NOW.minusSeconds(60L * random.nextInt(40)) : null;
        FailureState failure = switch (random.nextInt(5)) {
            case 0 -> new FailureState(1 + random.nextInt(4), NOW.minusSeconds(30),
                    NOW.plusSeconds(random.nextInt(120) - 60), PresetStatus.values()[random.nextInt(3)]);
            case 1 -> new FailureState(1 + random.nextInt(4), NOW.minusSeconds(300), NOW.minusSeconds(200),
                    PresetStatus.HEALTHY);
            default -> FailureState.initial();
        };
        List<Prebuild> running = new ArrayList<>();
        for (int i = random.nextInt(16); i > 0; i--) {
            running.add(prebuild(random));
        }
        List<FailedPrebuild> failed = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            Prebuild p = prebuild(random);
            failed.add(new FailedPrebuild(p.id(), p.createdAt(), NOW.minusSeconds(60L * random.nextInt(30))));
        }
        Random shuffle = new Random(random.nextLong());
        Collections.shuffle(running, shuffle);
        Collections.shuffle(failed, shuffle);
        int starting = random.nextInt(8);
        int queued = random.nextInt(starting + 1);
        InFlight inFlight = new InFlight(starting, queued, random.nextInt(3), random.nextInt(starting - queued + 1));
        List<Prebuild> unhealthy = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            unhealthy.add(prebuild(random));
        }
        Collections.shuffle(unhealthy, shuffle);
        return new PresetSnapshot(new PresetId("t", "v1", "p"), activity,
                new PrebuildPolicy(random.nextInt(13), ttl, PrebuildSchedule.none()), invalidatedAt, failure,
                running, failed, inFlight, unhealthy);
    }
}
