package io.warmpool.domain.plan;

import static io.warmpool.domain.plan.Fixtures.T0;
import static io.warmpool.domain.plan.Fixtures.preset;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.PresetId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R2.4 / R9: the global max-pending-jobs cap, emptiest pools first. */
class PendingCapTest {

    private final Planner planner = new Planner(new PlannerSettings(java.time.Duration.ofMinutes(15), 100));

    private PresetPlan plan(String name, int instances, int eligible) {
        return planner.plan(preset(instances).id(new PresetId("t", "v1", name)).runningMany(1000, eligible).build(), T0);
    }

    @Test
    void givenRoomForAll_nothingChanges() {
        List<PresetPlan> plans = List.of(plan("a", 3, 0), plan("b", 2, 1));
        assertThat(PendingCap.apply(plans, 200, 0)).isEqualTo(plans);
    }

    @Test
    void emptiestPoolsGetTheirCreatesFirst_theRestAreBlockedWithPendingCap() {
        // given a: 1 of 4 (25 %), b: 0 of 2 (0 %), c: 3 of 6 (50 %); room 4 with 6 already queued of 10
        PresetPlan a = plan("a", 4, 1);
        PresetPlan b = plan("b", 2, 0);
        PresetPlan c = plan("c", 6, 3);
        List<PresetPlan> capped = PendingCap.apply(List.of(a, b, c), 10, 6);
        // then b gets 2, a gets 2 of 3, c gets none of 3 — and the order of the list is kept
        assertThat(capped).extracting(PresetPlan::creates).containsExactly(2, 2, 0);
        assertThat(capped.get(0).blocked()).get().satisfies(x -> {
            assertThat(x.reason()).isEqualTo(BlockReason.PENDING_CAP);
            assertThat(x.needed()).isEqualTo(3);
            assertThat(x.allowed()).isEqualTo(2);
        });
        assertThat(capped.get(1).blocked()).isEmpty();
        assertThat(capped.get(2).blocked()).get().extracting(PlanAction.Blocked::allowed).isEqualTo(0);
    }

    @Test
    void tiesInFillAreBrokenByPresetId() {
        List<PresetPlan> capped = PendingCap.apply(List.of(plan("z", 2, 0), plan("a", 4, 0)), 3, 0);
        assertThat(capped).extracting(PresetPlan::creates).containsExactly(0, 3);
    }

    @Test
    void queuedCreatesBeyondTheCapLeaveNoRoom_deletesStillProceed() {
        PresetPlan withDelete = planner.plan(preset(1).runningMany(1, 3).build(), T0);
        List<PresetPlan> capped = PendingCap.apply(List.of(plan("a", 2, 0), withDelete), 5, 9);
        assertThat(capped.get(0).creates()).isZero();
        assertThat(capped.get(1).deletes()).hasSize(2);
    }

    @Test
    void anEarlierGuardStaysTheNamedOne() {
        // given a preset capped by in-flight at 5 of 8 needed
        Planner small = new Planner(PlannerSettings.DEFAULTS);
        PresetPlan capped = small.plan(preset(8).build(), T0);
        PresetPlan after = PendingCap.apply(List.of(capped), 3, 0).get(0);
        assertThat(after.creates()).isEqualTo(3);
        assertThat(after.blocked()).get().satisfies(b -> {
            assertThat(b.reason()).isEqualTo(BlockReason.IN_FLIGHT_CAP);
            assertThat(b.allowed()).isEqualTo(3);
        });
    }
}
