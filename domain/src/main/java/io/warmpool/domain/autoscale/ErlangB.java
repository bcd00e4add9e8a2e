package io.warmpool.domain.autoscale;

/**
 * Erlang's loss formula (SPEC R13): {@code B(n, a)} is the share of arrivals that find all {@code n} servers busy in
 * an M/G/n/n system with offered load {@code a} (arrival rate × mean holding time). For a warm pool of {@code n}
 * where each claim starts a rebuild of duration {@code T}, a claim misses exactly when all {@code n} are rebuilding,
 * so {@code 1 − B(n, λT)} is the pool's hit rate — whatever the build-time distribution (Erlang B is insensitive to
 * it beyond its mean).
 *
 * <p>Computed by the recursion {@code B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))}, never with factorials or powers:
 * every intermediate value stays in [0, 1], so it neither overflows nor loses precision for large {@code n} or
 * {@code a} (checked against a 60-digit reference in the tests). Pure and allocation-free.
 */
public final class ErlangB {

    private ErlangB() {
    }

    /**
     * {@code B(n, a)}: the probability that an arrival finds all {@code n} servers busy.
     *
     * @param n servers (pool size), 0 or more; {@code B(0, a) = 1}
     * @param a offered load in Erlangs, finite and 0 or more; {@code B(n, 0) = 0} for {@code n ≥ 1}
     * @throws IllegalArgumentException when {@code n} is negative or {@code a} is negative, infinite or NaN
     */
    public static double blocking(int n, double a) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be 0 or more, got " + n);
        }
        checkLoad(a);
        double b = 1.0;
        for (int k = 1; k <= n; k++) {
            double ab = a * b;
            b = ab / (k + ab);
        }
        return b;
    }

    /**
     * The smallest pool size {@code n ≥ 1} whose hit rate {@code 1 − B(n, a)} reaches {@code target}, searching no
     * further than {@code limit}: sizes above it are never used (R13 clamps to {@code max}), so the search costs at
     * most {@code limit} steps of the recursion.
     *
     * @param a      offered load, finite and 0 or more
     * @param target the hit rate to reach, in (0, 1)
     * @param limit  the largest size worth knowing, 0 or more
     * @return the smallest such {@code n}; {@code limit} when no {@code n ≤ limit} reaches the target (also when
     *     {@code limit} is 0)
     */
    public static int smallestPoolSize(double a, double target, int limit) {
        checkLoad(a);
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("target must be between 0 and 1 (exclusive), got " + target);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
        }
        double b = 1.0;
        for (int k = 1; k <= limit; k++) {
            double ab = a * b;
            b = ab / (k + ab);
            if (1.0 - b >= target) {
                return k;
            }
        }
        return limit;
    }

    private static void checkLoad(double a) {
        if (!(a >= 0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException("offered load must be finite and 0 or more, got " + a);
        }
    }
}
