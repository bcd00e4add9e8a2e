package io.warmpool.application.service;

import static io.warmpool.application.fakes.SequentialIds.id;
import static io.warmpool.application.service.World.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.Attempt;
import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.fakes.Presets;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.plan.PresetSnapshot;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC R13 demand: every claim arrival — served or missed, keyed or not, waiting or not — is counted once, in memory,
 * at its arrival minute, and reaches the {@code DemandHistoryPort} at the next full pass (on every replica, whether
 * it then holds the lock or not) or when the claims stop; a replayed keyed claim is no new arrival.
 */
class ClaimArrivalsTest {

    private static final Autoscale AUTOSCALE = new Autoscale(0.99, 0, 20, Duration.ofDays(14));

    private final World world = new World();
    private final ClaimPrebuildService claims = world.claims();

    @AfterEach
    void stop() {
        claims.close();
    }

    private PresetId autoscaled(String template) {
        return world.apply(template, "v1", Presets.preset("small", Map.of("cpu", "2"),
                PrebuildPolicy.of(1).withAutoscale(AUTOSCALE))).get(0);
    }

    private DemandHistory demand(PresetId preset) {
        List<PresetSnapshot> presets = world.store.load(Scope.of(Set.of(preset))).presets();
        assertThat(presets).hasSize(1);
        return presets.get(0).demand();
    }

    private Attempt claim(PresetId preset, String owner, Optional<String> key) {
        return claims.claim(new ClaimCommand(preset.ref(), owner, Optional.empty(), key));
    }

    @Test
    void givenServedMissedKeyedAndWaitingClaims_eachArrivalCountsOnce_atTheNextPass() throws Exception {
        PresetId preset = autoscaled("python");
        world.store.seedReadyPrebuild(preset, id(1), T0, Map.of());
        world.store.seedReadyPrebuild(preset, id(2), T0, Map.of());

        assertThat(claim(preset, "ada", Optional.empty())).as("served").isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        assertThat(claim(preset, "bob", Optional.of("k-1"))).as("served, keyed").isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        assertThat(claim(preset, "bob", Optional.of("k-1"))).as("the same keyed claim, replayed: no new arrival")
                .isInstanceOf(ClaimPrebuildUseCase.Claimed.class);
        assertThat(claim(preset, "cy", Optional.empty())).as("missed").isInstanceOf(ClaimPrebuildUseCase.Missed.class);
        assertThat(claim(preset, "dee", Optional.of("k-2"))).as("missed, keyed").isInstanceOf(ClaimPrebuildUseCase.Missed.class);
        CompletableFuture<Attempt> waiting = claims.claimWaiting(new ClaimCommand(preset.ref(), "eve", Optional.empty())
                .withMaxWait(Optional.of(Duration.ofSeconds(30))));
        assertThat(waiting).as("missed on arrival, waiting").isNotDone();
        world.store.seedReadyPrebuild(preset, id(3), T0, Map.of());
        world.store.announce(preset);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).as("served after waiting: still one arrival")
                .isInstanceOf(ClaimPrebuildUseCase.Claimed.class);

        assertThat(demand(preset).claimsLastHour()).as("nothing stored before the pass: no statement per claim").isZero();

        world.clock.advance(Duration.ofSeconds(10));
        world.pass();

        DemandHistory demand = demand(preset);
        assertThat(demand.claimsLastHour()).as("ada, bob (keyed), cy, dee (keyed), eve (waited)").isEqualTo(5);
        assertThat(demand.claimsByHour()).containsExactly(Map.entry(T0, 5));
        assertThat(demand.since()).isEqualTo(T0);

        world.pass();
        assertThat(demand(preset).claimsLastHour()).as("a second pass adds nothing more").isEqualTo(5);
    }

    @Test
    void anArrivalIsCountedAtItsArrivalMinute_fromTheServiceClock() {
        PresetId preset = autoscaled("python");
        world.clock.advance(Duration.ofMinutes(59).plusSeconds(59));
        claim(preset, "ada", Optional.empty());
        world.clock.advance(Duration.ofSeconds(2)); // the next hour
        claim(preset, "bob", Optional.empty());

        world.pass();

        assertThat(demand(preset).claimsByHour())
                .containsExactly(Map.entry(T0, 1), Map.entry(T0.plus(Duration.ofHours(1)), 1));
    }

    @Test
    void aReplicaThatDoesNotHoldTheLock_stillFlushesAtItsTick_butANudgedPassDoesNot() {
        PresetId preset = autoscaled("python");
        claim(preset, "ada", Optional.empty());

        world.pass(preset);
        assertThat(demand(preset).claimsLastHour()).as("a nudged (scoped) pass does not flush").isZero();

        world.store.holdLockElsewhere();
        assertThat(world.pass().ran()).isFalse();
        assertThat(demand(preset).claimsLastHour()).isEqualTo(1);
    }

    @Test
    void stoppingTheClaims_flushesWhatWasCounted() {
        PresetId preset = autoscaled("python");
        claim(preset, "ada", Optional.empty());

        claims.close();

        assertThat(demand(preset).claimsLastHour()).isEqualTo(1);
    }

    @Test
    void aFailedFlush_keepsItsCountsForTheNext_andConcurrentArrivalsAreNeitherLostNorDoubled() throws Exception {
        List<List<DemandHistoryPort.ClaimArrivals>> batches = new ArrayList<>();
        boolean[] down = {true};
        ClaimArrivals arrivals = new ClaimArrivals(new DemandHistoryPort() {
            @Override
            public void addClaims(List<ClaimArrivals> batch) {
                if (down[0]) {
                    throw new StoreUnavailableException("database down", null);
                }
                batches.add(batch);
            }

            @Override
            public void prune(Instant now) {
            }
        });
        PresetRef ref = new PresetRef("python", "small");
        arrivals.arrived(ref, T0.plusSeconds(30));
        assertThatThrownBy(arrivals::flush).isInstanceOf(StoreUnavailableException.class);
        assertThat(arrivals.pending()).isEqualTo(1);

        down[0] = false;
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    arrivals.arrived(ref, T0.plusSeconds(i % 120));
                }
            });
            threads[t].start();
        }
        int flushed = 0;
        while (java.util.Arrays.stream(threads).anyMatch(Thread::isAlive)) {
            flushed += arrivals.flush();
        }
        for (Thread t : threads) {
            t.join();
        }
        flushed += arrivals.flush();

        assertThat(flushed).isEqualTo(1 + 40_000);
        assertThat(batches.stream().flatMap(List::stream).mapToInt(DemandHistoryPort.ClaimArrivals::claims).sum())
                .isEqualTo(40_001);
    }
}
