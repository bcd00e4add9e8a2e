package io.warmpool.domain.plan;

import static io.warmpool.domain.plan.Fixtures.T0;
import static io.warmpool.domain.plan.Fixtures.preset;
import static io.warmpool.domain.plan.Fixtures.ws;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** R1 — the state of a preset at an instant. */
class PresetStateTest {

    static Stream<Arguments> activity() {
        return Stream.of(
                Arguments.of(new Activity(true, false, false), true),
                Arguments.of(new Activity(false, false, false), false),
                Arguments.of(new Activity(true, true, false), false),
                Arguments.of(new Activity(true, false, true), false));
    }

    @ParameterizedTest(name = "given {0}, active is {1}")
    @MethodSource("activity")
    void activeOnlyForActiveVersionOfALiveTemplate(Activity activity, boolean active) {
        // given a preset with 3 running prebuilds and instances 2
        PresetSnapshot snapshot = preset(2).activity(activity).runningMany(1, 3).build();
        // when
        PresetState state = PresetState.of(snapshot, T0);
        // then desired and eligible are 0 when not active
        assertThat(state.active()).isEqualTo(active);
        assertThat(state.desired()).isEqualTo(active ? 2 : 0);
        assertThat(state.eligible()).hasSize(active ? 3 : 0);
        assertThat(state.running()).hasSize(3);
    }

    static Stream<Arguments> ttl() {
        // createdAt offset from now, ttl, expired?
        return Stream.of(
                Arguments.of(Duration.ofMinutes(59), Duration.ofHours(1), false),
                Arguments.of(Duration.ofMinutes(60), Duration.ofHours(1), true),
                Arguments.of(Duration.ofMinutes(60).minusMillis(1), Duration.ofHours(1), false),
                Arguments.of(Duration.ofDays(400), Duration.ZERO, false));
    }

    @ParameterizedTest(name = "given a prebuild {0} old and ttl {1}, expired is {2}")
    @MethodSource("ttl")
    void ttlExpiresAtExactlyTtl(Duration age, Duration ttl, boolean expired) {
        PresetSnapshot snapshot = preset(1).ttl(ttl).running(1, T0.minus(age)).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.expired()).hasSize(expired ? 1 : 0);
        assertThat(state.eligible()).hasSize(expired ? 0 : 1);
        if (expired) {
            assertThat(state.expired().get(0).reason()).isEqualTo(ExpiryReason.EXPIRED);
        }
    }

    @Test
    void givenPrebuildCreatedBeforeInvalidation_itIsInvalidated_andOneCreatedAtTheInstantIsKept() {
        java.time.Instant invalidation = T0.minusSeconds(30);
        PresetSnapshot snapshot = preset(3)
                .running(1, invalidation.minusMillis(1))
                .running(2, invalidation)
                .running(3, invalidation.plusMillis(1))
                .invalidatedAt(invalidation).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.expired()).extracting(e -> e.prebuild().id()).containsExactly(ws(1));
        assertThat(state.expired().get(0).reason()).isEqualTo(ExpiryReason.INVALIDATED);
        assertThat(state.eligible()).extracting(Prebuild::id).containsExactly(ws(2), ws(3));
    }

    @Test
    void givenBothTtlAndInvalidationHold_invalidatedWins() {
        PresetSnapshot snapshot = preset(1).ttl(Duration.ofMinutes(1))
                .running(1, T0.minus(Duration.ofHours(1)))
                .invalidatedAt(T0.minusSeconds(1)).build();
        assertThat(PresetState.of(snapshot, T0).expired().get(0).reason()).isEqualTo(ExpiryReason.INVALIDATED);
    }

    @Test
    void extraneousIsEligibleAboveDesired_neverNegative() {
        assertThat(PresetState.of(preset(2).runningMany(1, 5).build(), T0).extraneous()).isEqualTo(3);
        assertThat(PresetState.of(preset(7).runningMany(1, 5).build(), T0).extraneous()).isZero();
    }

    @Test
    void expiredPrebuildsDoNotCountAsEligibleForExtraneous() {
        // given 3 running, 2 expired, desired 1
        PresetSnapshot snapshot = preset(1).ttl(Duration.ofHours(1))
                .running(1, T0.minus(Duration.ofHours(2)))
                .running(2, T0.minus(Duration.ofHours(3)))
                .running(3, T0.minusSeconds(5)).build();
        PresetState state = PresetState.of(snapshot, T0);
        assertThat(state.eligible()).hasSize(1);
        assertThat(state.extraneous()).isZero();
    }

    @Test
    void runningIsSortedOldestFirstWithTiesByIdText() {
        PresetSnapshot snapshot = preset(3).running(3, T0.minusSeconds(10)).running(2, T0.minusSeconds(20))
                .running(1, T0.minusSeconds(10)).build();
        assertThat(PresetState.of(snapshot, T0).running()).extracting(Prebuild::id).containsExactly(ws(2), ws(1), ws(3));
    }

}
