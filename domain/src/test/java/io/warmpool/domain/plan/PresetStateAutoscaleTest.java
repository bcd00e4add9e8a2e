package io.warmpool.domain.plan;

import static io.warmpool.domain.plan.Fixtures.T0;
import static io.warmpool.domain.plan.Fixtures.preset;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** R13 in R1 — with autoscale, an active preset's desired count is the sizing's, and the state carries the why. */
class PresetStateAutoscaleTest {

    private static final Autoscale TARGET_99 = new Autoscale(0.99, 0, 20, Duration.ofDays(14));

    /** A day of history and 60 claims in the last hour, builds of 5 min: a = 5 Erlangs, N = 11 at 99 %. */
    private static final DemandHistory SIXTY_AN_HOUR =
            new DemandHistory(T0.minus(Duration.ofDays(1)), new TreeMap<>(), 60, List.of(Duration.ofMinutes(5)));

    @Test
    void givenAutoscaleAndDemand_desiredIsTheSizingsAndInstancesIsIgnored() {
        // given instances 2 (ignored with autoscale), 3 eligible and 1 starting
        PresetSnapshot snapshot = preset(2).autoscale(TARGET_99).demand(SIXTY_AN_HOUR).runningMany(1, 3)
                .inFlight(1, 0, 0).build();
        // when
        PresetState state = PresetState.of(snapshot, T0);
        // then
        assertThat(state.sizing()).isNotNull();
        assertThat(state.sizing().needed()).isEqualTo(11);
        assertThat(state.desired()).isEqualTo(11);
        assertThat(state.need()).isEqualTo(7);
        assertThat(new Planner(PlannerSettings.DEFAULTS).plan(state).actions()).isNotEmpty();
    }

    @Test
    void givenAutoscaleAndNoDemand_desiredIsMin() {
        PresetSnapshot snapshot = preset(5).autoscale(new Autoscale(0.99, 1, 20, Duration.ofDays(14))).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.desired()).isEqualTo(1);
        assertThat(state.sizing().forecast().claimsPerHour()).isZero();
    }

    @Test
    void givenAutoscaleAndAHoldingWindow_theWindowIsAFloor() {
        // T0 is Monday 10:00 UTC
        PrebuildSchedule schedule = new PrebuildSchedule(ZoneOffset.UTC,
                List.of(new ScheduleWindow(CronWindow.parse("* 8-18 * * 1-5"), 15)));
        PresetSnapshot snapshot = preset(0).schedule(schedule).autoscale(TARGET_99).demand(SIXTY_AN_HOUR).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.desired()).isEqualTo(15);
        assertThat(state.sizing().windowInstances()).isEqualTo(15);
        assertThat(state.sizing().needed()).isEqualTo(11);
    }

    @Test
    void givenAnInactivePreset_desiredIsZeroAndThereIsNoSizing() {
        PresetSnapshot snapshot = preset(0).activity(new Activity(true, true, false)).autoscale(TARGET_99)
                .demand(SIXTY_AN_HOUR).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.desired()).isZero();
        assertThat(state.sizing()).isNull();
    }

    @Test
    void givenNoAutoscale_thereIsNoSizingAndInstancesDecides() {
        PresetState state = PresetState.of(preset(4).demand(SIXTY_AN_HOUR).build(), T0);
        assertThat(state.sizing()).isNull();
        assertThat(state.desired()).isEqualTo(4);
    }
}
