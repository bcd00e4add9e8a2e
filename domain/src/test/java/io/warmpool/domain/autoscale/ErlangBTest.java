package io.warmpool.domain.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** R13 — Erlang's loss formula, computed by the stable recursion. */
class ErlangBTest {

    private static final MathContext SIXTY_DIGITS = new MathContext(60);

    /** The same recursion in 60-digit decimal arithmetic, from the exact binary value of {@code a}. */
    static double reference(int n, double a) {
        BigDecimal load = new BigDecimal(a);
        BigDecimal b = BigDecimal.ONE;
        for (int k = 1; k <= n; k++) {
            BigDecimal ab = load.multiply(b, SIXTY_DIGITS);
            b = ab.divide(BigDecimal.valueOf(k).add(ab, SIXTY_DIGITS), SIXTY_DIGITS);
        }
        return b.doubleValue();
    }

    record Case(int n, double a) {
    }

    private static final Gen<Double> LOADS = Gen.frequency(
            Gen.weighted(1, Gen.constant(0.0)),
            Gen.weighted(3, Gen.doubles(0, 5)),
            Gen.weighted(4, Gen.doubles(0, 500)),
            Gen.weighted(2, Gen.ints(0, 500).map(Integer::doubleValue)));

    @Test
    void givenAnyPoolAndLoad_blockingMatchesASixtyDigitReferenceTo1e12() {
        Property.forAll(13_001, 400, r -> new Case(Gen.ints(0, 500).next(r), LOADS.next(r)),
                c -> assertThat(ErlangB.blocking(c.n(), c.a())).isCloseTo(reference(c.n(), c.a()), within(1e-12)));
    }

    @Test
    void givenAnyPoolAndLoad_blockingIsAProbabilityAndFallsWithEachServer() {
        Property.forAll(13_002, 300, r -> new Case(Gen.ints(0, 499).next(r), LOADS.next(r)), c -> {
            double b = ErlangB.blocking(c.n(), c.a());
            assertThat(b).isBetween(0.0, 1.0);
            assertThat(ErlangB.blocking(c.n() + 1, c.a())).isLessThanOrEqualTo(b);
        });
    }

    static Stream<Arguments> known() {
        return Stream.of(
                Arguments.of(0, 0.0, 1.0),
                Arguments.of(0, 7.5, 1.0),
                Arguments.of(1, 0.0, 0.0),
                Arguments.of(5, 0.0, 0.0),
                Arguments.of(1, 1.0, 0.5),
                Arguments.of(2, 1.0, 0.2),
                // Erlang B tables: 10 lines at 5 Erlangs block 1.838 %
                Arguments.of(10, 5.0, 0.018384),
                Arguments.of(3, 2.0, 4.0 / 19));
    }

    @ParameterizedTest(name = "B({0}, {1}) = {2}")
    @MethodSource("known")
    void givenTableValues_blockingMatches(int n, double a, double expected) {
        assertThat(ErlangB.blocking(n, a)).isCloseTo(expected, within(1e-6));
    }

    @Test
    void givenAHugeLoad_theRecursionNeitherOverflowsNorReturnsNaN() {
        // when a ≫ n, B(n, a) ≈ 1 − n/a
        assertThat(ErlangB.blocking(1000, 1e4)).isCloseTo(reference(1000, 1e4), within(1e-12)).isBetween(0.89, 0.91);
        assertThat(ErlangB.blocking(1000, 1e9)).isCloseTo(1.0, within(1e-5));
        assertThat(ErlangB.blocking(100_000, 1e4)).isZero();
    }

    @Test
    void givenALoad_theSmallestPoolSizeIsTheFirstReachingTheTarget() {
        // B(10, 5) = 1.8 % and B(11, 5) = 0.83 %: 99 % needs 11, 98 % needs 10
        assertThat(ErlangB.smallestPoolSize(5, 0.99, 1000)).isEqualTo(11);
        assertThat(ErlangB.smallestPoolSize(5, 0.98, 1000)).isEqualTo(10);
        // B(1, 1) = 0.5: a hit rate of exactly one half is reached by one
        assertThat(ErlangB.smallestPoolSize(1, 0.5, 1000)).isEqualTo(1);
        assertThat(ErlangB.smallestPoolSize(0, 0.999, 1000)).isEqualTo(1);
        // the search stops at the limit
        assertThat(ErlangB.smallestPoolSize(5, 0.99, 4)).isEqualTo(4);
        assertThat(ErlangB.smallestPoolSize(5, 0.99, 0)).isZero();
    }

    record SizeCase(double a, double b, double target, double target2) {
    }

    @Test
    void theSmallestPoolSizeIsMonotoneInLoadAndTarget() {
        Gen<Double> targets = Gen.frequency(Gen.weighted(3, Gen.doubles(0.5, 1)), Gen.weighted(1, Gen.doubles(0.001, 1)));
        Property.forAll(13_003, 500, r -> new SizeCase(LOADS.next(r), LOADS.next(r), targets.next(r), targets.next(r)), c -> {
            double lo = Math.min(c.a(), c.b());
            double hi = Math.max(c.a(), c.b());
            assertThat(ErlangB.smallestPoolSize(lo, c.target(), 1000))
                    .isLessThanOrEqualTo(ErlangB.smallestPoolSize(hi, c.target(), 1000));
            double t1 = Math.min(c.target(), c.target2());
            double t2 = Math.max(c.target(), c.target2());
            assertThat(ErlangB.smallestPoolSize(c.a(), t1, 1000))
                    .isLessThanOrEqualTo(ErlangB.smallestPoolSize(c.a(), t2, 1000));
        });
    }

    @Test
    void givenBadArguments_itRefuses() {
        assertThatThrownBy(() -> ErlangB.blocking(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.blocking(1, -0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.blocking(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.blocking(1, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.smallestPoolSize(1, 1.0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.smallestPoolSize(1, 0.9, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
