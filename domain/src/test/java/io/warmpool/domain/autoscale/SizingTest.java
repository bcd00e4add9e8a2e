package io.warmpool.domain.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** R13 — the desired count: clamp(min, max, N), a holding window as a floor, and its explanation. */
class SizingTest {

    /** Monday 2026-11-30 08:57 UTC. */
    private static final Instant NOW = Instant.parse("2026-11-30T08:57:00Z");

    /** A day of history with no claims in it, and {@code lastHour} claims in the last hour: λ = lastHour. */
    private static DemandHistory lastHour(int claims, List<Duration> buildTimes) {
        return new DemandHistory(NOW.minus(Duration.ofDays(1)), new TreeMap<>(), claims, buildTimes);
    }

    private static PrebuildPolicy policy(double target, int min, int max) {
        return PrebuildPolicy.of(0).withAutoscale(new Autoscale(target, min, max, Duration.ofDays(14)));
    }

    @Test
    void givenSixtyClaimsAnHourAndFiveMinuteBuilds_elevenPrebuildsReachNinetyNinePercent() {
        // given λ = 60/h and no measured builds (T = 5 min): a = 5 Erlangs; B(10, 5) = 1.8 %, B(11, 5) = 0.83 %
        Sizing s = Sizing.of(policy(0.99, 0, 20), lastHour(60, List.of()), NOW);
        assertThat(s.claimsPerHour()).isEqualTo(60.0);
        assertThat(s.buildTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.buildSamples()).isZero();
        assertThat(s.offeredLoad()).isEqualTo(5.0);
        assertThat(s.needed()).isEqualTo(11);
        assertThat(s.cappedByMax()).isFalse();
        assertThat(s.desired()).isEqualTo(11);
        assertThat(s.expectedHitRate()).isBetween(0.99, 0.995);
        assertThat(s.windowInstances()).isNull();
        assertThat(s.explain()).contains("60.00 claims/h forecast for Mon 09:00 UTC (last 60 minutes)",
                "build time 5m (default)", "load 5.00, N 11 → desired 11 (min 0, max 20)", "expected hit rate 99.");
    }

    @Test
    void givenMeasuredBuilds_theP90IsT() {
        // given 10 builds of 1…10 minutes: T = 9 min, λ = 20/h → a = 3
        List<Duration> builds = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(Duration::ofMinutes).toList();
        Sizing s = Sizing.of(policy(0.9, 0, 20), lastHour(20, builds), NOW);
        assertThat(s.buildTime()).isEqualTo(Duration.ofMinutes(9));
        assertThat(s.buildSamples()).isEqualTo(10);
        assertThat(s.offeredLoad()).isEqualTo(3.0, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(s.explain()).contains("build time 9m (p90 of 10)");
    }

    @Test
    void givenAMaxTooSmall_desiredIsMaxAndSaysSo() {
        Sizing s = Sizing.of(policy(0.99, 0, 8), lastHour(60, List.of()), NOW);
        assertThat(s.needed()).isEqualTo(8);
        assertThat(s.cappedByMax()).isTrue();
        assertThat(s.desired()).isEqualTo(8);
        assertThat(s.expectedHitRate()).isLessThan(0.99);
        assertThat(s.explain()).contains("max too small for the target");
    }

    @Test
    void givenNoDemand_desiredIsMin() {
        Sizing zero = Sizing.of(policy(0.99, 0, 20), lastHour(0, List.of()), NOW);
        assertThat(zero.needed()).isZero();
        assertThat(zero.desired()).isZero();
        // a pool of none misses every claim: the formula's B(0, a) = 1, said as it is
        assertThat(zero.expectedHitRate()).isZero();
        Sizing two = Sizing.of(policy(0.99, 2, 20), lastHour(0, List.of()), NOW);
        assertThat(two.needed()).isZero();
        assertThat(two.desired()).isEqualTo(2);
        assertThat(two.expectedHitRate()).isEqualTo(1.0);
        // said to people: an empty pool with nothing forecast is no 0 % alarm
        assertThat(zero.explain()).contains("→ desired 0", "no claims forecast (target 99.00%)")
                .doesNotContain("expected hit rate");
        assertThat(two.explain()).contains("expected hit rate 100.00%");
    }

    @Test
    void givenNoHistory_NIsZeroWhateverTheLastHourSays() {
        Sizing s = Sizing.of(policy(0.99, 0, 20), new DemandHistory(null, new TreeMap<>(), 5, List.of()), NOW);
        assertThat(s.forecast().source()).isEqualTo(Forecast.Source.NO_HISTORY);
        assertThat(s.desired()).isZero();
        assertThat(s.explain()).contains("no history yet");
    }

    private static PrebuildPolicy withWindow(PrebuildPolicy policy, String cron, int instances) {
        PrebuildSchedule schedule = new PrebuildSchedule(ZoneId.of("Europe/Berlin"),
                List.of(new ScheduleWindow(CronWindow.parse(cron), instances)));
        return new PrebuildPolicy(0, Duration.ZERO, schedule, null, null, policy.autoscale());
    }

    @Test
    void givenAHoldingWindow_itIsAFloor() {
        // given Monday 09:57 in Berlin, a window "* 8-18 * * 1-5" of 15 and demand needing 11
        PrebuildPolicy policy = withWindow(policy(0.99, 0, 20), "* 8-18 * * 1-5", 15);
        Sizing raised = Sizing.of(policy, lastHour(60, List.of()), NOW);
        assertThat(raised.windowInstances()).isEqualTo(15);
        assertThat(raised.needed()).isEqualTo(11);
        assertThat(raised.desired()).isEqualTo(15);
        assertThat(raised.raisedByWindow()).isTrue();
        assertThat(raised.forecast().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(raised.explain()).contains("Mon 10:00 Europe/Berlin", "window floor 15");
        // a smaller window leaves the demand's number
        Sizing kept = Sizing.of(withWindow(policy(0.99, 0, 20), "* 8-18 * * 1-5", 2), lastHour(60, List.of()), NOW);
        assertThat(kept.desired()).isEqualTo(11);
        assertThat(kept.raisedByWindow()).isFalse();
        // a window that does not hold is no floor
        Sizing night = Sizing.of(withWindow(policy(0.99, 0, 20), "* 0-5 * * *", 15), lastHour(0, List.of()), NOW);
        assertThat(night.windowInstances()).isNull();
        assertThat(night.desired()).isZero();
    }

    @Test
    void givenAPolicyWithoutAutoscale_itRefuses() {
        assertThatThrownBy(() -> Sizing.of(PrebuildPolicy.of(3), DemandHistory.NONE, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- properties ------------------------------------------------------------------------------------------

    record Case(int claims, int moreClaims, double target, double higherTarget, int min, int max,
                List<Duration> builds) {
    }

    private static final Gen<Case> CASES = r -> {
        int claims = Gen.frequency(Gen.weighted(1, Gen.constant(0)), Gen.weighted(4, Gen.ints(0, 60)),
                Gen.weighted(1, Gen.ints(0, 2000))).next(r);
        double t1 = Gen.frequency(Gen.weighted(3, Gen.doubles(0.8, 1)), Gen.weighted(1, Gen.doubles(0.001, 1))).next(r);
        double t2 = Gen.doubles(0.001, 1).next(r);
        int max = Gen.frequency(Gen.weighted(3, Gen.ints(0, 50)), Gen.weighted(1, Gen.ints(0, 1000))).next(r);
        int min = Gen.ints(0, max).next(r);
        List<Duration> builds = Gen.longs(0, 7_200).map(Duration::ofSeconds).list(0, 50).next(r);
        return new Case(claims, claims + Gen.ints(0, 100).next(r), Math.min(t1, t2), Math.max(t1, t2), min, max, builds);
    };

    @Test
    void NIsMonotoneInDemandAndInTarget() {
        Property.forAll(13_201, 400, CASES, c -> {
            Sizing low = Sizing.of(policy(c.target(), c.min(), c.max()), lastHour(c.claims(), c.builds()), NOW);
            Sizing more = Sizing.of(policy(c.target(), c.min(), c.max()), lastHour(c.moreClaims(), c.builds()), NOW);
            Sizing stricter = Sizing.of(policy(c.higherTarget(), c.min(), c.max()), lastHour(c.claims(), c.builds()), NOW);
            assertThat(more.needed()).isGreaterThanOrEqualTo(low.needed());
            assertThat(more.desired()).isGreaterThanOrEqualTo(low.desired());
            assertThat(stricter.needed()).isGreaterThanOrEqualTo(low.needed());
            assertThat(stricter.desired()).isGreaterThanOrEqualTo(low.desired());
        });
    }

    @Test
    void givenNoDemandAndMinZero_desiredIsZero() {
        Property.forAll(13_202, 200, CASES, c -> {
            Sizing s = Sizing.of(policy(c.target(), 0, c.max()), lastHour(0, c.builds()), NOW);
            assertThat(s.needed()).isZero();
            assertThat(s.desired()).isZero();
        });
    }

    @Test
    void desiredIsClampedAndReachesTheTargetUnlessMaxCapsIt() {
        Property.forAll(13_203, 400, CASES, c -> {
            Sizing s = Sizing.of(policy(c.target(), c.min(), c.max()), lastHour(c.claims(), c.builds()), NOW);
            assertThat(s.desired()).isBetween(c.min(), c.max());
            if (c.claims() > 0 && !s.cappedByMax()) {
                assertThat(s.expectedHitRate()).isGreaterThanOrEqualTo(c.target());
                // and N is the smallest: one fewer misses the target
                if (s.needed() > 1) {
                    assertThat(1 - ErlangB.blocking(s.needed() - 1, s.offeredLoad())).isLessThan(c.target());
                }
            }
            if (s.cappedByMax()) {
                assertThat(s.desired()).isEqualTo(c.max());
            }
        });
    }
}
