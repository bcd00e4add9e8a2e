package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.ClaimWaitersPort.Turn;
import io.warmpool.application.port.out.NudgePort.Subscription;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ClaimWaitersPort} (SPEC R12 {@code wait}): first come, first served across replicas
 * ({@link #anotherReplica()}), expired waiters block no one, the bound per preset, and the announcements of
 * prebuilds that become eligible.
 */
public abstract class ClaimWaitersPortContract extends PortContract {

    private static final Instant NOW = T0.plus(Duration.ofHours(10));
    private static final Instant LATER = NOW.plus(Duration.ofMinutes(2));
    private static final PresetRef SMALL = new PresetRef("python-dev", "small");

    private ClaimWaitersPort replicaA;
    private ClaimWaitersPort replicaB;
    private final List<Subscription> subscriptions = new ArrayList<>();

    @BeforeEach
    void replicas() {
        replicaA = store.waiters();
        replicaB = anotherReplica().waiters();
    }

    @AfterEach
    void closeSubscriptions() {
        subscriptions.forEach(Subscription::close);
    }

    private PresetId small() {
        return seed.preset("python-dev", "small", Map.of("cpu", "2"));
    }

    private static long joined(java.util.OptionalLong number) {
        assertThat(number).isPresent();
        return number.getAsLong();
    }

    private static Optional<WorkspaceId> taken(Turn turn) {
        return turn.attempt() instanceof ClaimPort.Claimed c ? Optional.of(c.workspace().id()) : Optional.empty();
    }

    @Test
    void givenTwoWaitersOnTwoReplicas_onlyTheOlderTakesThePrebuild_thenTheYoungerTakesTheNext() {
        PresetId preset = small();
        long first = joined(replicaA.join(preset, NOW, LATER, 10));
        long second = joined(replicaB.join(preset, NOW.plusMillis(1), LATER, 10));
        assertThat(second).as("arrival order").isGreaterThan(first);
        WorkspaceId p1 = seed.runningPrebuild(preset, T0, Map.of());

        Turn blocked = replicaB.claimInTurn(second, SMALL, "bob", "bob-dev", NOW.plusSeconds(1));
        assertThat(taken(blocked)).as("the younger waiter must not pass the older").isEmpty();
        assertThat(blocked.olderWaiterUntil()).contains(LATER);

        Turn served = replicaA.claimInTurn(first, SMALL, "alice", "alice-dev", NOW.plusSeconds(1));
        assertThat(taken(served)).contains(p1);
        assertThat(seed.workspace(p1).owner()).isEqualTo("alice");

        WorkspaceId p2 = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        Turn next = replicaB.claimInTurn(second, SMALL, "bob", "bob-dev", NOW.plusSeconds(2));
        assertThat(taken(next)).as("the served waiter left the queue with its claim").contains(p2);
    }

    @Test
    void aClaimNotWaitingYet_comesBehindEveryLiveWaiter() {
        PresetId preset = small();
        joined(replicaA.join(preset, NOW, LATER, 10));
        seed.runningPrebuild(preset, T0, Map.of());

        Turn turn = replicaB.claimInTurn(ClaimWaitersPort.NOT_WAITING, SMALL, "carol", "carol-dev", NOW.plusSeconds(1));

        assertThat(turn.attempt()).isEqualTo(new ClaimPort.Missed(preset));
    }

    @Test
    void givenTheOlderWaiterExpired_theYoungerTakesThePrebuild() {
        PresetId preset = small();
        joined(replicaA.join(preset, NOW, NOW.plusSeconds(5), 10)); // its replica died: nobody removes it
        long younger = joined(replicaB.join(preset, NOW.plusSeconds(1), LATER, 10));
        WorkspaceId p1 = seed.runningPrebuild(preset, T0, Map.of());

        assertThat(taken(replicaB.claimInTurn(younger, SMALL, "bob", "bob-dev", NOW.plusSeconds(4)))).isEmpty();
        Turn turn = replicaB.claimInTurn(younger, SMALL, "bob", "bob-dev", NOW.plusSeconds(5));

        assertThat(taken(turn)).contains(p1);
        assertThat(turn.olderWaiterUntil()).isEmpty();
    }

    @Test
    void aWaiterThatLeft_blocksNoOne() {
        PresetId preset = small();
        long older = joined(replicaA.join(preset, NOW, LATER, 10));
        long younger = joined(replicaB.join(preset, NOW, LATER, 10));
        WorkspaceId p1 = seed.runningPrebuild(preset, T0, Map.of());

        replicaA.leave(older);

        assertThat(taken(replicaB.claimInTurn(younger, SMALL, "bob", "bob-dev", NOW.plusSeconds(1)))).contains(p1);
    }

    @Test
    void joinBeyondTheBound_isRefused_andExpiredWaitersDoNotCount() {
        PresetId preset = small();
        joined(replicaA.join(preset, NOW, NOW.plusSeconds(10), 2));
        joined(replicaB.join(preset, NOW, LATER, 2));

        assertThat(replicaA.join(preset, NOW.plusSeconds(1), LATER, 2)).isEmpty();
        assertThat(replicaB.join(preset, NOW.plusSeconds(10), LATER, 2)).as("the first one has expired").isPresent();
    }

    @Test
    void waitersOfAnotherPreset_doNotBlock() {
        PresetId preset = small();
        PresetId large = seed.preset("python-dev", "large", Map.of("cpu", "8"));
        joined(replicaA.join(large, NOW, LATER, 10));
        long mine = joined(replicaB.join(preset, NOW, LATER, 10));
        WorkspaceId p1 = seed.runningPrebuild(preset, T0, Map.of());

        assertThat(taken(replicaB.claimInTurn(mine, SMALL, "bob", "bob-dev", NOW))).contains(p1);
    }

    @Test
    void aPrebuildBecomingEligible_andAnAnnouncement_reachTheListenersOfEveryReplica() throws InterruptedException {
        PresetId preset = small();
        BlockingQueue<PresetId> heardByA = new LinkedBlockingQueue<>();
        BlockingQueue<PresetId> heardByB = new LinkedBlockingQueue<>();
        subscriptions.add(replicaA.listen(heardByA::add));
        subscriptions.add(replicaB.listen(heardByB::add));

        seed.runningPrebuild(preset, T0, Map.of());

        assertThat(heardByA.poll(10, TimeUnit.SECONDS)).isEqualTo(preset);
        assertThat(heardByB.poll(10, TimeUnit.SECONDS)).isEqualTo(preset);

        replicaB.announce(preset);

        assertThat(heardByA.poll(10, TimeUnit.SECONDS)).isEqualTo(preset);
        assertThat(heardByB.poll(10, TimeUnit.SECONDS)).isEqualTo(preset);
    }

    @Test
    void concurrentJoinsFromTwoReplicas_neverOvershootTheBound() throws Exception {
        PresetId preset = small();
        int max = 5;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<OptionalLong>> joins = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                ClaimWaitersPort replica = i % 2 == 0 ? replicaA : replicaB;
                joins.add(pool.submit(() -> {
                    start.await();
                    return replica.join(preset, NOW, LATER, max);
                }));
            }
            start.countDown();
            long admitted = 0;
            for (Future<OptionalLong> f : joins) {
                admitted += f.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(max);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyWaiterTryingAtOnce_onlyTheOldestTakesTheOnePrebuild() throws Exception {
        PresetId preset = small();
        List<Long> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiters.add(joined((i % 2 == 0 ? replicaA : replicaB).join(preset, NOW, LATER, 100)));
        }
        WorkspaceId prebuild = seed.runningPrebuild(preset, T0, Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Turn>> tries = new ArrayList<>();
            // The youngest first, so that the oldest is not favoured by starting first.
            for (int i = waiters.size() - 1; i >= 0; i--) {
                long waiter = waiters.get(i);
                ClaimWaitersPort replica = i % 2 == 0 ? replicaA : replicaB;
                Callable<Turn> attempt = () -> {
                    start.await();
                    return replica.claimInTurn(waiter, SMALL, "user-" + waiter, "ws-" + waiter, NOW.plusSeconds(1));
                };
                tries.add(pool.submit(attempt));
            }
            start.countDown();
            List<String> owners = new ArrayList<>();
            for (Future<Turn> f : tries) {
                if (f.get(30, TimeUnit.SECONDS).attempt() instanceof ClaimPort.Claimed c) {
                    assertThat(c.workspace().id()).isEqualTo(prebuild);
                    owners.add(c.workspace().owner());
                }
            }
            assertThat(owners).containsExactly("user-" + waiters.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reserveInTurn_keepsTheQueueOrder_andReservesInsteadOfHandingOver() {
        PresetId preset = small();
        long first = joined(replicaA.join(preset, NOW, LATER, 10));
        long second = joined(replicaB.join(preset, NOW.plusMillis(1), LATER, 10));
        WorkspaceId p1 = seed.runningPrebuild(preset, T0, Map.of("url", "u"));

        Turn blocked = replicaB.reserveInTurn(second, SMALL, "bob", "bob-dev", NOW.plusSeconds(1));
        assertThat(blocked.attempt()).isInstanceOf(ClaimPort.Missed.class);
        assertThat(blocked.olderWaiterUntil()).contains(LATER);

        Turn served = replicaA.reserveInTurn(first, SMALL, "alice", "alice-dev", NOW.plusSeconds(1));
        assertThat(served.attempt()).isInstanceOf(ClaimPort.Reserved.class);
        ClaimPort.Reservation r = ((ClaimPort.Reserved) served.attempt()).reservation();
        assertThat(r.id()).isEqualTo(p1);
        assertThat(r.owner()).isEqualTo("alice");
        assertThat(r.outputs()).containsEntry("url", "u");
        assertThat(seed.workspace(p1).phase()).isEqualTo(io.warmpool.application.port.out.WorkspacePort.Phase.CLAIMING);
        assertThat(seed.workspace(p1).owner()).isEqualTo(io.warmpool.application.port.out.WorkspacePort.PREBUILDS_OWNER);

        WorkspaceId p2 = seed.runningPrebuild(preset, T0.plusSeconds(1), Map.of());
        Turn next = replicaB.reserveInTurn(second, SMALL, "bob", "bob-dev", NOW.plusSeconds(2));
        assertThat(next.attempt()).as("the served waiter left the queue").isInstanceOf(ClaimPort.Reserved.class);
        assertThat(((ClaimPort.Reserved) next.attempt()).reservation().id()).isEqualTo(p2);
    }
}
