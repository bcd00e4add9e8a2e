package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.property.Property;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingCapSelection} is the fast form of the readable rule {@link PendingCap#grantEmptiestFirst}: it selects
 * the boundary of the emptiest-first order instead of sorting every plan. This checks, on seeded random passes, that
 * it grants every plan exactly what the readable rule grants, and that {@link PendingCap#apply} (which uses the
 * readable rule for small passes and the selection for large ones) creates what the readable rule grants.
 *
 * <p>Each property runs {@link #CASES} cases from a fixed seed with the project's harness ({@link Property}): a
 * failure names its case and replays exactly.
 */
class PendingCapSelectionTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final int CASES = 400;

    @Test
    void selectionGrantsWhatTheReadableRuleGrants() {
        Property.forAll(11, CASES, Pass::next, pass -> {
            List<PresetPlan> plans = pass.plans();
            SplittableRandom random = pass.random();
            long room = random.nextInt(totalWanted(plans) + 20);
            assertThat(selection(plans, room, -1)).isEqualTo(readable(plans, room));
        });
    }

    @Test
    void theSortingFallbackGrantsWhatTheReadableRuleGrants() {
        // rounds 0: the whole range is sorted; 1 and 2: sorted after one or two rounds of selection
        Property.forAll(12, CASES, Pass::next, pass -> {
            List<PresetPlan> plans = pass.plans();
            SplittableRandom random = pass.random();
            long room = random.nextInt(totalWanted(plans) + 20);
            int rounds = random.nextInt(3);
            assertThat(selection(plans, room, rounds)).isEqualTo(readable(plans, room));
        });
    }

    @Test
    void aLargePassWithFewFillsAndManyTiesGetsTheReadableGrants() {
        // like the planning benchmark: thousands of plans, a dozen fills, a room far smaller than wanted
        SplittableRandom random = new SplittableRandom(13);
        for (int round = 0; round < 5; round++) {
            List<PresetPlan> plans = passOf(random, 5_000, 50_000);
            long room = 50 + random.nextInt(totalWanted(plans) / 2 + 1);
            assertThat(selection(plans, room, -1)).isEqualTo(readable(plans, room));
        }
    }

    @Test
    void presetsAlreadyInFillOrderOrReversedGetTheReadableGrants() {
        SplittableRandom random = new SplittableRandom(14);
        for (boolean reversed : new boolean[] {false, true}) {
            List<PresetPlan> plans = new ArrayList<>(passOf(random, 2_000, 2_000));
            Comparator<PresetPlan> order = PendingCap.EMPTIEST_FIRST;
            plans.sort(reversed ? order.reversed() : order);
            long room = totalWanted(plans) / 3;
            assertThat(selection(plans, room, -1)).isEqualTo(readable(plans, room));
        }
    }

    @Test
    void applyCreatesWhatTheReadableRuleGrants_andOnlyLowersCreates() {
        // passes of up to 1,500 plans: both sides of PendingCap.SELECTION_FROM
        Property.forAll(15, CASES, Pass::next, pass -> {
            List<PresetPlan> plans = pass.plans();
            SplittableRandom random = pass.random();
            int max = random.nextInt(totalWanted(plans) + 20);
            int queued = random.nextInt(10);
            int[] granted = readable(plans, Math.max(max - queued, 0));
            List<PresetPlan> capped = PendingCap.apply(plans, max, queued);
            assertThat(capped).hasSameSizeAs(plans);
            for (int i = 0; i < plans.size(); i++) {
                PresetPlan before = plans.get(i);
                PresetPlan after = capped.get(i);
                assertThat(after.state()).isSameAs(before.state());
                assertThat(after.creates()).isEqualTo(Math.min(granted[i], before.creates()));
                assertThat(after.deletes()).isEqualTo(before.deletes());
                if (after.creates() < before.creates()) {
                    PlanAction.Blocked blocked = after.blocked().orElseThrow();
                    assertThat(blocked.allowed()).isEqualTo(after.creates());
                    assertThat(blocked.needed()).isEqualTo(before.state().need());
                    assertThat(blocked.reason()).isEqualTo(before.blocked().map(PlanAction.Blocked::reason)
                            .orElse(BlockReason.PENDING_CAP));
                } else {
                    assertThat(after).isEqualTo(before);
                }
            }
        });
    }

    private static int[] wanted(List<PresetPlan> plans) {
        return plans.stream().mapToInt(PresetPlan::creates).toArray();
    }

    private static int[] readable(List<PresetPlan> plans, long room) {
        return PendingCap.grantEmptiestFirst(plans.toArray(new PresetPlan[0]), wanted(plans), room);
    }

    private static int[] selection(List<PresetPlan> plans, long room, int rounds) {
        return PendingCapSelection.grant(plans.toArray(new PresetPlan[0]), wanted(plans), room, rounds);
    }

    // --- the cases -------------------------------------------------------------------------------------------

    /** A pass of plans and the stream the property draws its own numbers from; shown by size, not in full. */
    private record Pass(List<PresetPlan> plans, SplittableRandom random) {
        static Pass next(SplittableRandom random) {
            int size = random.nextInt(4) == 0 ? random.nextInt(300, 1_500) : random.nextInt(40);
            return new Pass(passOf(random, size, 1 + random.nextInt(size + 1)), random.split());
        }

        @Override
        public String toString() {
            return plans.size() + " plans";
        }
    }

    /**
     * {@code size} plans with ids drawn from {@code distinctIds} (so some repeat, and the order given must break
     * those ties), few distinct fills, and all the shapes a plan can have: no create, a create, a create capped by
     * an earlier guard, deletes before them.
     */
    private static List<PresetPlan> passOf(SplittableRandom random, int size, int distinctIds) {
        List<PresetPlan> plans = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int idNumber = random.nextInt(distinctIds);
            PresetId id = new PresetId("t" + idNumber % 7, "v" + idNumber % 3, "p" + idNumber);
            int desired = random.nextInt(8) == 0 ? 1 + random.nextInt(1000) : 1 + random.nextInt(12);
            int eligible = random.nextInt(desired + 1);
            List<Prebuild> running = new ArrayList<>(eligible);
            for (int r = 0; r < eligible; r++) {
                running.add(new Prebuild(new WorkspaceId(new UUID(i, r)), NOW.minusSeconds(60L * (eligible - r))));
            }
            PresetState state = new PresetState(id, NOW, true, desired, running, List.of(), running, List.of(),
                    InFlight.NONE, FailureState.initial());
            List<PlanAction> actions = new ArrayList<>();
            if (random.nextInt(4) == 0) {
                actions.add(new PlanAction.Delete(new WorkspaceId(new UUID(-1, i)), NOW.minusSeconds(9_000), DeleteReason.EXPIRED));
            }
            int need = desired - eligible;
            int shape = random.nextInt(5);
            if (need > 0 && shape > 0) {
                int allowed = shape == 1 ? random.nextInt(need) : need;
                if (allowed > 0) {
                    actions.add(new PlanAction.Create(allowed));
                }
                if (allowed < need) {
                    actions.add(new PlanAction.Blocked(BlockReason.IN_FLIGHT_CAP, need, allowed, null));
                }
            }
            plans.add(new PresetPlan(state, actions));
        }
        return plans;
    }

    private static int totalWanted(List<PresetPlan> plans) {
        return plans.stream().mapToInt(PresetPlan::creates).sum();
    }
}
