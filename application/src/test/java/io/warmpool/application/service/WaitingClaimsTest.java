package io.warmpool.application.service;

import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.RecordingMetrics.Claim;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.Attempt;
import io.warmpool.application.port.out.EventType;
import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC R12 {@code wait}: claims that wait for a prebuild, on the fake store (its announcements are synchronous). */
class WaitingClaimsTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final World world = new World();
    private final ClaimPrebuildService claims = world.claims();

    @AfterEach
    void stop() {
        claims.close();
    }

    private CompletableFuture<Attempt> waitFor(PresetId preset, String owner, Duration wait) {
        return claims.claimWaiting(new ClaimCommand(preset.ref(), owner, Optional.empty()).withMaxWait(Optional.of(wait)));
    }

    private static String owner(Attempt attempt) {
        assertThat(attempt).isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        return ((ClaimPrebuildUseCase.Claimed) attempt).workspace().owner();
    }

    @Test
    void givenAnEmptyPool_aWaitingClaimCountsAMiss_andIsServedWhenAPrebuildBecomesReady() throws Exception {
        PresetId preset = world.preset("python", 3);

        CompletableFuture<Attempt> answer = waitFor(preset, "ada", LONG);

        assertThat(answer).isNotDone();
        assertThat(world.metrics.claims()).extracting(Claim::hit).containsExactly(false);
        assertThat(world.events.all()).extracting(e -> e.type()).containsExactly(EventType.CLAIM_MISSED);

        world.store.seedReadyPrebuild(preset, id(1), T0, Map.of("url", "https://ws/1"));
        world.store.announce(preset); // what the store does when a create succeeds

        answer.get(10, TimeUnit.SECONDS);
        assertThat(owner(answer.join())).isEqualTo("ada");
        assertThat(world.events.all()).extracting(e -> e.type())
                .containsExactly(EventType.CLAIM_MISSED, EventType.CLAIM_SUCCEEDED);
        assertThat(world.events.all().get(1).details()).containsKey("waited_ms");
        assertThat(world.metrics.claimWaits()).containsExactly(preset + " served");
    }

    @Test
    void twoWaitingClaims_areServedFirstComeFirstServed() throws Exception {
        PresetId preset = world.preset("python", 3);
        CompletableFuture<Attempt> first = waitFor(preset, "ada", LONG);
        CompletableFuture<Attempt> second = waitFor(preset, "bob", LONG);

        world.store.seedReadyPrebuild(preset, id(1), T0, Map.of());
        world.store.announce(preset);

        first.get(10, TimeUnit.SECONDS);
        assertThat(owner(first.join())).isEqualTo("ada");
        assertThat(second).isNotDone();

        world.store.seedReadyPrebuild(preset, id(2), T0, Map.of());
        world.store.announce(preset);

        second.get(10, TimeUnit.SECONDS);
        assertThat(owner(second.join())).isEqualTo("bob");
    }

    @Test
    void aClaimThatArrivesWhileOthersWait_doesNotPassThem() throws Exception {
        PresetId preset = world.preset("python", 3);
        CompletableFuture<Attempt> waiting = waitFor(preset, "ada", LONG);
        // A prebuild is ready but the waiter has not been told yet (no announcement): a newcomer must not take it.
        world.store.seedReadyPrebuild(preset, id(1), T0, Map.of());

        CompletableFuture<Attempt> newcomer = waitFor(preset, "bob", LONG);

        waiting.get(10, TimeUnit.SECONDS);
        assertThat(owner(waiting.join())).isEqualTo("ada");
        assertThat(newcomer).isNotDone();
    }

    @Test
    void aWaitingClaimThatIsNotServed_timesOut_leavesTheQueue_andSaysWhenToRetry() throws Exception {
        PresetId preset = world.preset("python", 3);

        CompletableFuture<Attempt> answer = waitFor(preset, "ada", Duration.ofMillis(200));

        answer.get(10, TimeUnit.SECONDS);
        assertThat(answer.join()).isInstanceOfSatisfying(ClaimPrebuildUseCase.TimedOut.class, t -> {
            assertThat(t.preset()).isEqualTo(preset);
            assertThat(t.retryAfter()).isEqualTo(ClaimWaitSettings.DEFAULTS.retryAfter());
        });
        assertThat(world.metrics.claimWaits()).containsExactly(preset + " timed_out");
        // it left the queue: a later waiter is served at once when a prebuild comes
        CompletableFuture<Attempt> later = waitFor(preset, "bob", LONG);
        world.store.seedReadyPrebuild(preset, id(1), T0, Map.of());
        world.store.announce(preset);
        later.get(10, TimeUnit.SECONDS);
        assertThat(owner(later.join())).isEqualTo("bob");
    }

    @Test
    void givenAFullQueue_aClaimIsAnsweredFullAtOnce() throws Exception {
        PresetId preset = world.preset("python", 3);
        int max = ClaimWaitSettings.DEFAULTS.maxWaitersPerPreset();
        for (int i = 0; i < max; i++) {
            assertThat(world.store.join(preset, T0, T0.plus(LONG), max)).isPresent();
        }

        CompletableFuture<Attempt> answer = waitFor(preset, "ada", LONG);

        assertThat(answer).isCompletedWithValue(new ClaimPrebuildUseCase.Full(preset, max));
        assertThat(world.metrics.claimWaits()).containsExactly(preset + " full");
    }

    @Test
    void withoutWait_claimWaitingIsAPlainClaim() throws Exception {
        PresetId preset = world.preset("python", 3);

        CompletableFuture<Attempt> answer = claims.claimWaiting(new ClaimCommand(preset.ref(), "ada", Optional.empty()));

        assertThat(answer).isCompletedWithValue(new ClaimPrebuildUseCase.Missed(preset));
        assertThat(world.metrics.claimWaits()).isEmpty();
    }

    @Test
    void theBlockingClaim_withAWait_waitsOnTheCallersThread() throws Exception {
        PresetId preset = world.preset("python", 3);

        Attempt attempt = claims.claim(new ClaimCommand(preset.ref(), "ada", Optional.empty()).withMaxWait(Optional.of(Duration.ofMillis(100))));

        assertThat(attempt).isInstanceOf(ClaimPrebuildUseCase.TimedOut.class);
    }

    @Test
    void stopping_answersEveryWaitingClaimAsTimedOut() throws Exception {
        PresetId preset = world.preset("python", 3);
        CompletableFuture<Attempt> answer = waitFor(preset, "ada", LONG);

        claims.close();

        assertThat(answer).isDone();
        assertThat(answer.join()).isInstanceOf(ClaimPrebuildUseCase.TimedOut.class);
    }
}
