package io.warmpool.application.service;

import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.Presets;
import io.warmpool.application.port.out.DemandHistoryPort.ClaimArrivals;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.autoscale.Forecast;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC R13 through the reconcile pass: a week of synthetic claim history (weekdays 9:00–17:00 UTC, 6 claims an hour,
 * 12 in Monday's 9:00 hour, nothing at night or on the weekend) stored through the demand port, and the desired count
 * the pass plans at given hours of the second week — worked out by hand from Erlang B with the default build time
 * (5 minutes, no create has become ready yet) and target 0.9.
 */
class AutoscaleSizingTest {

    private static final Autoscale AUTOSCALE = new Autoscale(0.9, 0, 20, Duration.ofDays(14));
    /** Monday 2025-03-03 00:00 UTC: the synthetic week starts here. */
    private static final Instant MONDAY = T0.minus(Duration.ofHours(9));

    private final World world = new World();
    private PresetId preset;

    @BeforeEach
    void aWeekOfHistory() {
        // created the Sunday before, so that at the second Monday's 9:00 there are 7 days of history and more
        world.clock.set(MONDAY.minus(Duration.ofDays(1)));
        preset = world.apply("python-dev", "v1", Presets.preset("small", Map.of("cpu", "2"),
                new PrebuildPolicy(0, Duration.ZERO, PrebuildSchedule.none()).withAutoscale(AUTOSCALE))).get(0);
        List<ClaimArrivals> week = new ArrayList<>();
        for (int day = 0; day < 5; day++) {
            for (int hour = 9; hour < 17; hour++) {
                int claims = day == 0 && hour == 9 ? 12 : 6;
                Instant start = MONDAY.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour));
                for (int i = 0; i < claims; i++) {
                    // spread over the hour, one minute's row each
                    week.add(new ClaimArrivals(new PresetRef("python-dev", "small"), start.plus(Duration.ofMinutes(5L * i)), 1));
                }
            }
        }
        world.store.addClaims(week);
    }

    private Sizing sizedAt(Instant now) {
        world.clock.set(now);
        PresetPlan plan = World.planOf(world.pass(), preset);
        assertThat(plan.state().sizing()).as("an autoscaled preset's state explains its size").isNotNull();
        assertThat(plan.state().desired()).isEqualTo(plan.state().sizing().desired());
        return plan.state().sizing();
    }

    private static Instant secondWeek(DayOfWeek day, int hour, int minute) {
        return MONDAY.plus(Duration.ofDays(7L + day.getValue() - 1)).plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    @Test
    void beforeMondays9oClock_thePoolIsSizedForItsTwelveClaims_aBuildTimeAhead() {
        // now + T = 09:01: Monday 09:00's one occurrence had 12 claims → λ 12/h, a = 12 × 5/60 = 1.0;
        // B(1,1) = .5, B(2,1) = .2, B(3,1) = .0625 → N = 3 is the first with a hit rate ≥ 0.9
        Sizing s = sizedAt(secondWeek(DayOfWeek.MONDAY, 8, 56));
        assertThat(s.forecast().source()).isEqualTo(Forecast.Source.HOUR_OF_WEEK);
        assertThat(s.forecast().claimsPerHour()).isEqualTo(12.0);
        assertThat(s.buildTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.desired()).isEqualTo(3);
        assertThat(s.expectedHitRate()).isEqualTo(1 - 0.0625, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void anHourEarlier_nothingIsForecast_andThePoolIsEmpty() {
        // now + T = 08:45: Monday 08:00 had no claim in week 1 → λ = 0 → N = 0, min 0
        Sizing s = sizedAt(secondWeek(DayOfWeek.MONDAY, 8, 40));
        assertThat(s.forecast().claimsPerHour()).isZero();
        assertThat(s.desired()).isZero();
    }

    @Test
    void anOrdinaryWeekdayHour_isSizedForSixClaims() {
        // Tuesday 13:00: 6 claims → a = 0.5; B(1,.5) = 1/3, B(2,.5) = 1/13 → N = 2 (hit rate 12/13 ≥ 0.9)
        Sizing s = sizedAt(secondWeek(DayOfWeek.TUESDAY, 12, 56));
        assertThat(s.forecast().claimsPerHour()).isEqualTo(6.0);
        assertThat(s.desired()).isEqualTo(2);
        assertThat(s.expectedHitRate()).isEqualTo(12.0 / 13, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void onSaturday_nothingIsForecast_untilTheLastHourBringsTwentyClaims() {
        Instant saturday = secondWeek(DayOfWeek.SATURDAY, 10, 0);
        assertThat(sizedAt(saturday).desired()).isZero();

        List<ClaimArrivals> rush = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rush.add(new ClaimArrivals(new PresetRef("python-dev", "small"), saturday.plus(Duration.ofMinutes(i)), 1));
        }
        world.store.addClaims(rush);
        // the last 60 minutes' 20 claims win over the hour-of-week's 0: a = 20 × 5/60 = 5/3;
        // B(3, 5/3) = .160, B(4, 5/3) = .0625 → N = 4
        Sizing s = sizedAt(saturday.plus(Duration.ofMinutes(30)));
        assertThat(s.forecast().source()).isEqualTo(Forecast.Source.LAST_HOUR);
        assertThat(s.forecast().claimsPerHour()).isEqualTo(20.0);
        assertThat(s.desired()).isEqualTo(4);
        // and an hour after the rush it is forgotten again
        assertThat(sizedAt(saturday.plus(Duration.ofMinutes(81))).desired()).isZero();
    }

    @Test
    void thePassCreatesWhatTheSizingAsksFor() {
        world.clock.set(secondWeek(DayOfWeek.MONDAY, 8, 56));
        PresetPlan plan = World.planOf(world.pass(), preset);
        assertThat(plan.state().need()).isEqualTo(3);
        assertThat(plan.actions()).contains(new PlanAction.Create(3));
    }
}
