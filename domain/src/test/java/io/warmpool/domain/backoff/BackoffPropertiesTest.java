package io.warmpool.domain.backoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.property.Property;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the R3–R5 invariants over generated cases.
 *
 * <p>Each property runs {@link #CASES} cases from a fixed seed with the project's harness ({@link Property}), so a
 * failure names its case and replays exactly.
 */
class BackoffPropertiesTest {

    private static final int CASES = 1_000;
    private static final Instant EPOCH_2025 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void aRecordedDeadlineMovesOnlyOnFailureSuccessOrResume() {
        Property.forAll(1, CASES, BackoffPropertiesTest::scenario, scenario -> {
            var policy = scenario.policy();
            var state = scenario.start();
            var now = EPOCH_2025;
            for (Step step : scenario.steps()) {
                now = now.plusMillis(step.advanceMillis());
                var before = state;
                switch (step.kind()) {
                    case QUERY -> {
                        var inBackoff = state.inBackoff(now);
                        assertThat(state.backoffUntil(now))
                                .isEqualTo(inBackoff ? Optional.of(state.retryNotBefore()) : Optional.empty());
                    }
                    case UNAVAILABLE, WORKER_LOST -> {
                        var transition = policy.recordOutcome(state, step.outcome(), now);
                        assertThat(transition.after()).isSameAs(before);
                    }
                    case FAILED, PERMANENT_FAILURE -> {
                        state = policy.recordOutcome(state, step.outcome(), now).after();
                        long d = policy.backoff().policy().delay(state.consecutiveFailures()).toMillis();
                        long drawn = Duration.between(now, state.retryNotBefore()).toMillis();
                        assertThat(drawn).isBetween(lowestDraw(policy.backoff().jitter(), d), d);
                        assertThat(state.lastFailureAt()).isEqualTo(now);
                    }
                    case SUCCEEDED -> {
                        state = policy.recordOutcome(state, step.outcome(), now).after();
                        assertThat(state.retryNotBefore()).isNull();
                    }
                    case RESUME -> {
                        state = policy.resume(state).after();
                        assertThat(state.retryNotBefore()).isNull();
                        assertThat(state.consecutiveFailures()).isEqualTo(before.consecutiveFailures());
                    }
                }
                if (step.kind() == Kind.QUERY || step.kind() == Kind.UNAVAILABLE || step.kind() == Kind.WORKER_LOST) {
                    assertThat(state).isEqualTo(before);
                }
            }
        });
    }

    @Test
    void kIsNeverNegativeAndFollowsTheCountingRules() {
        Property.forAll(2, CASES, BackoffPropertiesTest::scenario, scenario -> {
            var policy = scenario.policy();
            var state = scenario.start();
            var now = EPOCH_2025;
            for (Step step : scenario.steps()) {
                now = now.plusMillis(step.advanceMillis());
                int k = state.consecutiveFailures();
                state = step.kind() == Kind.QUERY ? state
                        : step.kind() == Kind.RESUME ? policy.resume(state).after()
                        : policy.recordOutcome(state, step.outcome(), now).after();
                assertThat(state.consecutiveFailures()).isNotNegative();
                int expected = switch (step.kind()) {
                    case FAILED, PERMANENT_FAILURE -> k == Integer.MAX_VALUE ? k : k + 1;
                    case SUCCEEDED -> 0;
                    default -> k;
                };
                assertThat(state.consecutiveFailures()).isEqualTo(expected);
            }
        });
    }

    @Test
    void delayIsNonDecreasingInKForBothPolicies() {
        Property.forAll(3, CASES, random -> new PolicyAtK(policy(random), k(random), 1 + random.nextInt(1_000)), input -> {
            var policy = input.policy();
            int k = input.k();
            int next = k == Integer.MAX_VALUE ? k : k + 1;
            int later = (int) Math.min(Integer.MAX_VALUE, (long) k + input.step());

            assertThat(policy.delay(k)).isLessThanOrEqualTo(policy.delay(next));
            assertThat(policy.delay(next)).isLessThanOrEqualTo(policy.delay(later));
            assertThat(policy.delay(k)).isBetween(Duration.ofMillis(1), BackoffPolicy.MAX_DELAY);
        });
    }

    @Test
    void exponentialDelayEqualsTheFlooredExactDecimalProduct() {
        Property.forAll(4, CASES, random -> new PolicyAtK(exponential(random), 1 + random.nextInt(80), 0), input -> {
            var policy = (BackoffPolicy.Exponential) input.policy();

            assertThat(policy.delay(input.k()).toMillis()).isEqualTo(exactReference(policy, input.k()));
        });
    }

    @Test
    void jitteredDelayIsAlwaysWithinItsBounds() {
        Property.forAll(5, CASES, random -> new JitterCase(new BackoffSettings(policy(random), pick(random, Jitter.values())),
                k(random), random.nextLong()), input -> {
            var settings = input.settings();
            long d = settings.policy().delay(input.k()).toMillis();

            long drawn = settings.delay(input.k(), new SplittableRandom(input.seed())).toMillis();

            assertThat(drawn).isBetween(lowestDraw(settings.jitter(), d), d);
            if (settings.jitter() == Jitter.NONE) {
                assertThat(drawn).isEqualTo(d);
            }
        });
    }


    private static long lowestDraw(Jitter jitter, long d) {
        return switch (jitter) {
            case NONE -> d;
            case FULL -> 0;
            case EQUAL -> d - d / 2;
        };
    }

    /** The definition of R3, multiplied out step by step; only usable for small k. */
    private static long exactReference(BackoffPolicy.Exponential policy, int k) {
        var max = BigDecimal.valueOf(policy.max().toMillis());
        var value = BigDecimal.valueOf(policy.interval().toMillis());
        for (int i = 1; i < k; i++) {
            value = value.multiply(policy.multiplier());
        }
        return value.min(max).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    // --- generators: edges mixed in on purpose, since that is where saturation and rounding live -------------

    private enum Kind { QUERY, FAILED, PERMANENT_FAILURE, SUCCEEDED, UNAVAILABLE, WORKER_LOST, RESUME }

    private record Step(Kind kind, long advanceMillis) {
        CreateOutcome outcome() {
            return CreateOutcome.valueOf(kind.name());
        }
    }

    private record Scenario(FailurePolicy policy, FailureState start, List<Step> steps) {
    }

    private record PolicyAtK(BackoffPolicy policy, int k, int step) {
    }

    private record JitterCase(BackoffSettings settings, int k, long seed) {
    }

    private static Scenario scenario(RandomGenerator random) {
        var settings = new BackoffSettings(policy(random), pick(random, Jitter.values()));
        var policy = new FailurePolicy(settings, random.nextInt(6), new SplittableRandom(random.nextLong()));
        var steps = new ArrayList<Step>();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            // Zero advances model failures finishing together; hours model waits past a deadline.
            long advance = random.nextInt(4) == 0 ? 0 : random.nextLong(0, Duration.ofHours(2).toMillis());
            steps.add(new Step(pick(random, Kind.values()), advance));
        }
        return new Scenario(policy, state(random), steps);
    }

    private static FailureState state(RandomGenerator random) {
        var status = pick(random, PresetStatus.values());
        int k = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Integer.MAX_VALUE - random.nextInt(3);
            default -> 1 + random.nextInt(10);
        };
        if (k == 0) {
            return new FailureState(0, null, null, status);
        }
        var last = EPOCH_2025.minusSeconds(random.nextInt(3_600));
        var deadline = random.nextBoolean() ? null : last.plusSeconds(random.nextInt(7_200));
        return new FailureState(k, last, deadline, status);
    }

    private static BackoffPolicy policy(RandomGenerator random) {
        return random.nextBoolean() ? linear(random) : exponential(random);
    }

    private static BackoffPolicy.Linear linear(RandomGenerator random) {
        long interval = switch (random.nextInt(5)) {
            case 0 -> 1;
            case 1 -> Long.MAX_VALUE - random.nextInt(1_000);
            default -> 1 + random.nextLong(Duration.ofHours(1).toMillis());
        };
        return new BackoffPolicy.Linear(Duration.ofMillis(interval));
    }

    private static BackoffPolicy.Exponential exponential(RandomGenerator random) {
        long interval = 1 + random.nextLong(Duration.ofMinutes(5).toMillis());
        long max = switch (random.nextInt(4)) {
            case 0 -> interval;
            case 1 -> Long.MAX_VALUE;
            default -> interval + random.nextLong(Duration.ofDays(1).toMillis());
        };
        // 1.0000 to 4.0000: up to four decimals, including exactly 1 and integers
        var multiplier = random.nextInt(5) == 0
                ? BigDecimal.valueOf(1 + random.nextInt(4))
                : BigDecimal.valueOf(10_000 + random.nextInt(30_001), 4);
        return new BackoffPolicy.Exponential(Duration.ofMillis(interval), Duration.ofMillis(max), multiplier);
    }

    private static int k(RandomGenerator random) {
        return switch (random.nextInt(5)) {
            case 0 -> Integer.MAX_VALUE - random.nextInt(3);
            case 1 -> 1 + random.nextInt(Integer.MAX_VALUE - 1);
            default -> 1 + random.nextInt(100);
        };
    }

    private static <T> T pick(RandomGenerator random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
