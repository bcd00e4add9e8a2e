package io.warmpool.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.NudgePort.Subscription;
import io.warmpool.domain.PresetId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link NudgePort}: a nudge reaches every subscriber of every replica ({@link #anotherReplica()}),
 * the sender's own included, whatever a listener does. Delivery may be asynchronous: each check waits for what
 * it expects (at most {@link #WAIT_SECONDS}). The transport (LISTEN/NOTIFY, reconnection) is the database's
 * (adapters-db's database-only nudge tests).
 */
public abstract class NudgePortContract extends PortContract {

    private static final PresetId SMALL = new PresetId("python-dev", "v3", "small");
    private static final PresetId LARGE = new PresetId("python-dev", "v3", "large");
    private static final long WAIT_SECONDS = 10;

    private NudgePort replicaA;
    private NudgePort replicaB;
    private final List<Subscription> subscriptions = new ArrayList<>();

    @BeforeEach
    void replicas() {
        replicaA = store.nudges();
        replicaB = anotherReplica().nudges();
    }

    @AfterEach
    void closeSubscriptions() {
        subscriptions.forEach(Subscription::close);
    }

    private Subscription subscribe(NudgePort adapter, BlockingQueue<PresetId> into) {
        Subscription s = adapter.subscribe(into::add);
        subscriptions.add(s);
        return s;
    }

    private static PresetId next(BlockingQueue<PresetId> queue) throws InterruptedException {
        return queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void nudgeFromOneReplica_reachesTheOtherReplicasSubscriber() throws InterruptedException {
        BlockingQueue<PresetId> received = new LinkedBlockingQueue<>();
        subscribe(replicaB, received);

        replicaA.nudge(SMALL);

        assertThat(next(received)).isEqualTo(SMALL);
    }

    @Test
    void nudge_reachesEverySubscriber_includingTheSendersOwn() throws InterruptedException {
        BlockingQueue<PresetId> atA = new LinkedBlockingQueue<>();
        BlockingQueue<PresetId> atB = new LinkedBlockingQueue<>();
        subscribe(replicaA, atA);
        subscribe(replicaB, atB);

        replicaA.nudge(SMALL);
        replicaB.nudge(LARGE);

        assertThat(List.of(next(atA), next(atA))).containsExactly(SMALL, LARGE);
        assertThat(List.of(next(atB), next(atB))).containsExactly(SMALL, LARGE);
    }

    @Test
    void nudgeAll_sendsOneNudgePerPreset_inOneGo() throws InterruptedException {
        BlockingQueue<PresetId> received = new LinkedBlockingQueue<>();
        subscribe(replicaB, received);

        replicaA.nudgeAll(List.of(SMALL, LARGE));

        assertThat(List.of(next(received), next(received))).containsExactlyInAnyOrder(SMALL, LARGE);
    }

    @Test
    void throwingListener_doesNotStopLaterNudges() throws InterruptedException {
        BlockingQueue<PresetId> received = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        subscriptions.add(replicaB.subscribe(preset -> {
            received.add(preset);
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("listener bug");
            }
        }));

        replicaA.nudge(SMALL);
        assertThat(next(received)).isEqualTo(SMALL);
        replicaA.nudge(LARGE);
        assertThat(next(received)).isEqualTo(LARGE);
    }

    @Test
    void closedSubscription_getsNothingMore() throws InterruptedException {
        BlockingQueue<PresetId> closedQueue = new LinkedBlockingQueue<>();
        BlockingQueue<PresetId> openQueue = new LinkedBlockingQueue<>();
        Subscription closed = subscribe(replicaB, closedQueue);
        subscribe(replicaB, openQueue);

        closed.close();
        closed.close(); // idempotent

        replicaA.nudge(SMALL);
        // Once the open subscription has it, the closed one would have had it too, if it were still listening.
        assertThat(next(openQueue)).isEqualTo(SMALL);
        assertThat(closedQueue).isEmpty();
    }
}
