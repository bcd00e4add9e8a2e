package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.NudgePort.Subscription;
import io.warmpool.domain.PresetId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresNudgeAdapter} on real PostgreSQL: what only LISTEN/NOTIFY has. The port's contract (every
 * subscriber of every replica gets each nudge, whatever a listener does) is {@code NudgePortContract} (run here by
 * {@link PostgresNudgeContractTest}, and on the fake in application); these stay database-only: the payload's
 * encoding, foreign notifications on the channel, the listening thread and connection of a closed subscription, and
 * reconnecting after the listening connection is killed. Two adapter instances on one database play two replicas.
 * Waits are bounded blocking polls, never sleeps.
 */
class NudgeDatabaseTest extends DatabaseTestBase {

    private static final PresetId SMALL = new PresetId("python-dev", "v3", "small");
    private static final long WAIT_SECONDS = 10;

    private PostgresNudgeAdapter replicaA;
    private PostgresNudgeAdapter replicaB;
    private final List<Subscription> subscriptions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        // Short poll and reconnect delays keep the reconnection test fast.
        replicaA = new PostgresNudgeAdapter(db, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofMillis(200));
        replicaB = new PostgresNudgeAdapter(db, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofMillis(200));
    }

    @AfterEach
    void closeSubscriptions() {
        subscriptions.forEach(Subscription::close);
    }

    private Subscription subscribe(PostgresNudgeAdapter adapter, BlockingQueue<PresetId> into) {
        Subscription s = adapter.subscribe(into::add);
        subscriptions.add(s);
        return s;
    }

    @Test
    void payload_roundTripsAnyNames() {
        PresetId odd = new PresetId("a/b", "v\"1\\", "x,y ]");
        assertThat(PostgresNudgeAdapter.decode(PostgresNudgeAdapter.encode(odd))).contains(odd);
        assertThat(PostgresNudgeAdapter.decode(PostgresNudgeAdapter.encode(SMALL))).contains(SMALL);
        assertThat(PostgresNudgeAdapter.decode("python-dev/small")).isEmpty();
        assertThat(PostgresNudgeAdapter.decode("[\"only\",\"two\"]")).isEmpty();
        assertThat(PostgresNudgeAdapter.decode("[\"a\",null,\"c\"]")).isEmpty();
    }

    @Test
    void foreignNotificationOnTheChannel_isIgnored() throws InterruptedException {
        BlockingQueue<PresetId> received = new LinkedBlockingQueue<>();
        subscribe(replicaB, received);

        db.dsl().select(DSL.field("pg_notify({0}, {1})", Object.class,
                DSL.val(PostgresNudgeAdapter.CHANNEL), DSL.val("not a preset"))).fetch();
        replicaA.nudge(SMALL);

        // Notifications arrive in send order: the first thing the listener sees is the real nudge.
        assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(SMALL);
    }

    @Test
    void closedSubscription_stopsItsThreadAndGetsNothingMore() throws InterruptedException {
        BlockingQueue<PresetId> closedQueue = new LinkedBlockingQueue<>();
        BlockingQueue<PresetId> openQueue = new LinkedBlockingQueue<>();
        PostgresNudgeAdapter.Listening closed = (PostgresNudgeAdapter.Listening) subscribe(replicaB, closedQueue);
        subscribe(replicaB, openQueue);

        closed.close();
        assertThat(closed.isRunning()).isFalse();
        assertThat(closed.backendPid()).isEmpty();
        closed.close(); // idempotent

        replicaA.nudge(SMALL);
        // Once the open subscription has it, the closed one would have had it too, if it were still listening.
        assertThat(openQueue.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(SMALL);
        assertThat(closedQueue).isEmpty();
    }

    @Test
    void givenListeningConnectionKilled_listenerReconnectsAndReceivesAgain() throws InterruptedException {
        BlockingQueue<PresetId> received = new LinkedBlockingQueue<>();
        PostgresNudgeAdapter.Listening listening = (PostgresNudgeAdapter.Listening) subscribe(replicaB, received);
        int firstPid = listening.backendPid().orElseThrow();

        Boolean terminated = db.dsl().select(DSL.field("pg_terminate_backend({0}, 5000)", Boolean.class, DSL.val(firstPid)))
                .fetchOne(0, Boolean.class);
        assertThat(terminated).isTrue();

        // Nudges sent while it is down are lost (best effort, by contract): keep nudging until one arrives.
        PresetId got = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (got == null && System.nanoTime() < deadline) {
            replicaA.nudge(SMALL);
            got = received.poll(200, TimeUnit.MILLISECONDS);
        }
        assertThat(got).isEqualTo(SMALL);
        assertThat(listening.isRunning()).isTrue();
        assertThat(listening.backendPid()).isPresent();
        assertThat(listening.backendPid().getAsInt()).isNotEqualTo(firstPid);
    }
}
