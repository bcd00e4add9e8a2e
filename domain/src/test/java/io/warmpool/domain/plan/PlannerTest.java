package io.warmpool.domain.plan;

import static io.warmpool.domain.plan.Fixtures.T0;
import static io.warmpool.domain.plan.Fixtures.preset;
import static io.warmpool.domain.plan.Fixtures.ws;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.backoff.PresetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** R2 (the plan), R6 (expiry), R8 (failed cleanup), R9 (bounded work). */
class PlannerTest {

    private final Planner planner = new Planner(PlannerSettings.DEFAULTS);

    private PresetPlan plan(Fixtures.SnapshotBuilder given) {
        return planner.plan(given.build(), T0);
    }

    // --- R2.1: not active ---

    @Test
    void givenInactivePreset_deletesEveryRunningAndFailedPrebuildOldestFirst_cancelsQueued_createsNothing() {
        PresetPlan plan = plan(preset(3).activity(new Activity(false, false, false))
                .running(1, T0.minusSeconds(10))
                .failed(2, T0.minusSeconds(30), T0.minusSeconds(5))
                .running(3, T0.minusSeconds(20))
                .inFlight(2, 1, 0));
        assertThat(plan.actions()).containsExactly(
                new PlanAction.Delete(ws(2), T0.minusSeconds(30), DeleteReason.INACTIVE),
                new PlanAction.Delete(ws(3), T0.minusSeconds(20), DeleteReason.INACTIVE),
                new PlanAction.Delete(ws(1), T0.minusSeconds(10), DeleteReason.INACTIVE),
                new PlanAction.CancelQueued(1));
        assertThat(plan.creates()).isZero();
        assertThat(plan.blocked()).isEmpty();
    }

    @Test
    void givenDeprecatedTemplateWithNothingQueued_noCancel() {
        PresetPlan plan = plan(preset(3).activity(new Activity(true, true, false)).running(1, T0).inFlight(1, 0, 0));
        assertThat(plan.actions()).containsExactly(new PlanAction.Delete(ws(1), T0, DeleteReason.INACTIVE));
    }

    // --- R2.2 (d): creates ---

    static Stream<Arguments> creates() {
        // instances, eligible, starting, expected creates
        return Stream.of(
                Arguments.of(3, 0, 0, 3),
                Arguments.of(3, 1, 0, 2),
                Arguments.of(3, 1, 1, 1),
                Arguments.of(3, 3, 0, 0),
                Arguments.of(3, 0, 3, 0),
                Arguments.of(0, 0, 0, 0),
                Arguments.of(9, 0, 2, 3)); // in-flight cap 5: 5 − 2
    }

    @ParameterizedTest(name = "given instances {0}, eligible {1}, starting {2}: creates {3}")
    @MethodSource("creates")
    void needIsDesiredMinusEligibleMinusStarting_withinTheInFlightCap(int instances, int eligible, int starting, int expected) {
        PresetPlan plan = plan(preset(instances).runningMany(1, eligible).inFlight(starting, 0, 0));
        assertThat(plan.creates()).isEqualTo(expected);
    }

    @Test
    void givenNothingNeeded_noBlockedLineEvenWhenHardLimited() {
        PresetPlan plan = plan(preset(2).runningMany(1, 2).failures(3, T0, T0.plusSeconds(60), PresetStatus.HARD_LIMITED));
        assertThat(plan.actions()).isEmpty();
    }

    // --- R2.4: guards, in order ---

    static Stream<Arguments> guards() {
        Instant later = T0.plusSeconds(45);
        return Stream.of(
                // k, retryNotBefore, status, starting, expected creates, expected first guard
                Arguments.of(0, null, PresetStatus.VALIDATION_FAILED, 0, 0, BlockReason.VALIDATION_FAILED),
                Arguments.of(5, later, PresetStatus.VALIDATION_FAILED, 0, 0, BlockReason.VALIDATION_FAILED),
                Arguments.of(3, later, PresetStatus.HARD_LIMITED, 0, 0, BlockReason.HARD_LIMITED),
                Arguments.of(1, later, PresetStatus.HEALTHY, 0, 0, BlockReason.BACKOFF),
                Arguments.of(1, T0, PresetStatus.HEALTHY, 0, 1, BlockReason.PROBE),
                Arguments.of(2, T0.minusSeconds(1), PresetStatus.HEALTHY, 1, 0, BlockReason.PROBE),
                Arguments.of(0, null, PresetStatus.HEALTHY, 0, 5, BlockReason.IN_FLIGHT_CAP));
    }

    @ParameterizedTest(name = "given k={0}, retryNotBefore={1}, status={2}, starting={3}: creates {4}, blocked by {5}")
    @MethodSource("guards")
    void theFirstGuardThatLowersTheCreateIsNamed(int k, Instant retryNotBefore, PresetStatus status, int starting,
                                                 int expectedCreates, BlockReason expectedGuard) {
        // given a preset that needs 8 more (instances 8)
        Fixtures.SnapshotBuilder given = preset(8).inFlight(starting, 0, 0)
                .failures(k, k == 0 ? null : T0.minusSeconds(10), k == 0 ? null : retryNotBefore, status);
        // when
        PresetPlan plan = plan(given);
        // then
        assertThat(plan.creates()).isEqualTo(expectedCreates);
        assertThat(plan.blocked()).get().satisfies(b -> {
            assertThat(b.reason()).isEqualTo(expectedGuard);
            assertThat(b.needed()).isEqualTo(8 - starting);
            assertThat(b.allowed()).isEqualTo(expectedCreates);
        });
    }

    @Test
    void backoffBlockCarriesItsDeadline_andAtExactlyTheDeadlineThereIsNoBackoff() {
        Instant deadline = T0.plusSeconds(60);
        PresetPlan during = planner.plan(preset(2).failures(1, T0, deadline, PresetStatus.HEALTHY).build(), T0.plusSeconds(59));
        assertThat(during.blocked()).get().extracting(PlanAction.Blocked::until).isEqualTo(deadline);
        PresetPlan at = planner.plan(preset(2).failures(1, T0, deadline, PresetStatus.HEALTHY).build(), deadline);
        assertThat(at.creates()).isEqualTo(1);
        assertThat(at.blocked()).get().extracting(PlanAction.Blocked::reason).isEqualTo(BlockReason.PROBE);
    }

    @Test
    void givenResumedPresetWithFailuresKept_firstCreateIsASingleProbe() {
        // R4: resume clears retryNotBefore but keeps k
        PresetPlan plan = plan(preset(4).failures(3, T0.minusSeconds(600), null, PresetStatus.HEALTHY));
        assertThat(plan.creates()).isEqualTo(1);
        assertThat(plan.blocked()).get().extracting(PlanAction.Blocked::reason).isEqualTo(BlockReason.PROBE);
    }

    @Test
    void guardsLowerCreatesOnly_deletesAlwaysProceed() {
        PresetPlan plan = plan(preset(3).ttl(Duration.ofHours(1)).running(1, T0.minus(Duration.ofHours(2)))
                .failures(0, null, null, PresetStatus.VALIDATION_FAILED));
        assertThat(plan.deletes()).extracting(PlanAction.Delete::reason).containsExactly(DeleteReason.EXPIRED);
        assertThat(plan.creates()).isZero();
        assertThat(plan.blocked()).get().extracting(PlanAction.Blocked::reason).isEqualTo(BlockReason.VALIDATION_FAILED);
    }

    // --- R2.3: delete order ---

    @Test
    void deletesAreListedStepByStep_eachOldestFirst_tiesByIdText() {
        Instant old = T0.minus(Duration.ofHours(5));
        PresetPlan plan = plan(preset(1).ttl(Duration.ofHours(2))
                .invalidatedAt(T0.minus(Duration.ofHours(4)))
                // expired by ttl only (created after the invalidation, older than ttl)
                .running(10, T0.minus(Duration.ofHours(3)))
                // invalidated (and expired): INVALIDATED wins
                .running(11, old)
                // eligible: 3 of them, desired 1 → 2 extraneous, the oldest two; tie on createdAt broken by id
                .running(13, T0.minusSeconds(100))
                .running(12, T0.minusSeconds(100))
                .running(14, T0.minusSeconds(10))
                // failed long enough ago / too recently
                .failed(20, T0.minus(Duration.ofHours(1)), T0.minus(Duration.ofMinutes(15)))
                .failed(21, T0.minus(Duration.ofHours(2)), T0.minus(Duration.ofMinutes(14))));
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace, PlanAction.Delete::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ws(11), DeleteReason.INVALIDATED),
                org.assertj.core.groups.Tuple.tuple(ws(10), DeleteReason.EXPIRED),
                org.assertj.core.groups.Tuple.tuple(ws(12), DeleteReason.EXTRANEOUS),
                org.assertj.core.groups.Tuple.tuple(ws(13), DeleteReason.EXTRANEOUS),
                org.assertj.core.groups.Tuple.tuple(ws(20), DeleteReason.FAILED_CLEANUP));
        assertThat(plan.creates()).isZero();
    }

    // --- R11: unhealthy prebuilds, R10: provisioned ones ---

    @Test
    void givenUnhealthyPrebuilds_theyAreDeletedFirstAsUnhealthy_oldestFirst_andReplacedWithKUnchanged() {
        // given an active preset of 2 with one eligible and two unhealthy prebuilds
        PresetPlan plan = plan(preset(2).ttl(Duration.ofHours(1))
                .running(1, T0.minusSeconds(10))
                .running(2, T0.minus(Duration.ofHours(2)))
                .unhealthy(4, T0.minusSeconds(20))
                .unhealthy(3, T0.minusSeconds(30)));
        // then: the unhealthy step first (oldest first), then the expired one; the replacements are created
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace, PlanAction.Delete::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ws(3), DeleteReason.UNHEALTHY),
                org.assertj.core.groups.Tuple.tuple(ws(4), DeleteReason.UNHEALTHY),
                org.assertj.core.groups.Tuple.tuple(ws(2), DeleteReason.EXPIRED));
        assertThat(plan.creates()).isEqualTo(1);
        assertThat(plan.state().eligible()).extracting(Prebuild::id).containsExactly(ws(1));
    }

    @Test
    void givenInactivePresetWithUnhealthyPrebuilds_unhealthyStepComesRightAfterInactive() {
        PresetPlan plan = plan(preset(2).activity(new Activity(false, false, false))
                .unhealthy(3, T0.minusSeconds(90))
                .running(1, T0.minusSeconds(10)));
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace, PlanAction.Delete::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ws(1), DeleteReason.INACTIVE),
                org.assertj.core.groups.Tuple.tuple(ws(3), DeleteReason.UNHEALTHY));
    }

    @Test
    void givenProvisionedPrebuildsNotReadyYet_theyCountAsStarting_soNoDuplicateCreates() {
        // given a pool of 3: one eligible, two provisioned (create succeeded, not ready yet)
        PresetPlan plan = plan(preset(3).running(1, T0).inFlight(2, 0, 0, 2));
        assertThat(plan.state().starting()).isEqualTo(2);
        assertThat(plan.state().provisioned()).isEqualTo(2);
        assertThat(plan.actions()).isEmpty();
    }

    // --- R6: expired and invalidated are replaced ---

    @Test
    void expiredPrebuildsAreDeletedAndReplacedInTheSamePass() {
        PresetPlan plan = plan(preset(2).ttl(Duration.ofHours(1))
                .running(1, T0.minus(Duration.ofHours(1)))
                .running(2, T0.minusSeconds(1)));
        assertThat(plan.deletes()).extracting(PlanAction.Delete::workspace).containsExactly(ws(1));
        assertThat(plan.creates()).isEqualTo(1);
    }

    // --- R8: failed cleanup ---

    static Stream<Arguments> retention() {
        return Stream.of(
                Arguments.of(Duration.ofMinutes(15), true),
                Arguments.of(Duration.ofMinutes(15).minusMillis(1), false),
                Arguments.of(Duration.ofHours(3), true));
    }

    @ParameterizedTest(name = "given a prebuild failed {0} ago, deleted is {1}")
    @MethodSource("retention")
    void failedPrebuildsAreDeletedOnceRetentionHasPassed(Duration failedAgo, boolean deleted) {
        PresetPlan plan = plan(preset(0).failed(1, T0.minus(Duration.ofHours(4)), T0.minus(failedAgo)));
        assertThat(plan.deletes()).hasSize(deleted ? 1 : 0);
    }

    @Test
    void failedPrebuildsDoNotCountAsRunning() {
        PresetPlan plan = plan(preset(2).failed(1, T0, T0));
        assertThat(plan.state().eligible()).isEmpty();
        assertThat(plan.creates()).isEqualTo(2);
    }

    // --- determinism (R2.6) ---

    @Test
    void sameSnapshotAndNowGiveTheSamePlan() {
        Fixtures.SnapshotBuilder given = preset(4).ttl(Duration.ofMinutes(30)).runningMany(1, 6).failed(9, T0, T0.minus(Duration.ofHours(1)));
        assertThat(plan(given)).isEqualTo(plan(given));
    }

    @Test
    void aPlanThatWouldCreateMoreThanDesiredCannotBeBuilt() {
        PresetState state = PresetState.of(preset(1).build(), T0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PresetPlan(state, List.of(new PlanAction.Create(2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("desired is 1");
    }

    // --- R1/R7: desired follows the schedule window that contains now ---

    @Test
    void desiredIsTheWindowsInstancesInsideTheWindowAndThePresetsOutside() {
        io.warmpool.domain.schedule.PrebuildSchedule schedule = new io.warmpool.domain.schedule.PrebuildSchedule(
                java.time.ZoneId.of("Europe/Berlin"),
                List.of(new io.warmpool.domain.schedule.ScheduleWindow(io.warmpool.domain.schedule.CronWindow.parse("* 8-18 * * 1-5"), 6)));
        // T0 is Monday 2026-03-02 10:00 UTC = 11:00 Berlin: inside the window
        PresetPlan inside = plan(preset(2).schedule(schedule).runningMany(1, 2));
        assertThat(inside.state().desired()).isEqualTo(6);
        assertThat(inside.creates()).isEqualTo(4);
        // 20:00 Berlin: outside — 4 extraneous of 6 running
        PresetPlan outside = planner.plan(preset(2).schedule(schedule).runningMany(1, 6).build(), Instant.parse("2026-03-02T19:00:00Z"));
        assertThat(outside.state().desired()).isEqualTo(2);
        assertThat(outside.deletes()).extracting(PlanAction.Delete::reason).containsOnly(DeleteReason.EXTRANEOUS).hasSize(4);
    }
}
