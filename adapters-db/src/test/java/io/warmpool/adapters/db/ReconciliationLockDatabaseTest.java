package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresReconciliationLock} on real PostgreSQL: what only the database has. The port's contract (one holder
 * at a time, across replicas) is {@code ReconciliationLockPortContract} (run here by
 * {@link PostgresReconciliationLockContractTest}, and on the fake in application); these stay database-only: the
 * session advisory lock itself in {@code pg_locks}, a holder's connection killed, separate keys, and the fence that
 * waits for a write in flight on another connection. Two adapter instances play two replicas.
 */
class ReconciliationLockDatabaseTest extends DatabaseTestBase {

    private ReconciliationLockPort replicaA;
    private ReconciliationLockPort replicaB;

    @BeforeEach
    void setUp() {
        replicaA = new PostgresReconciliationLock(db);
        replicaB = new PostgresReconciliationLock(db);
    }

    @Test
    void givenFreeLock_tryAcquire_holdsOneAdvisoryLockUntilClosed() {
        Optional<HeldLock> held = replicaA.tryAcquire();
        try {
            assertThat(held).isPresent();
            assertThat(advisoryLockHolders()).hasSize(1);
        } finally {
            held.ifPresent(HeldLock::close);
        }
        assertThat(advisoryLockHolders()).isEmpty();
    }

    @Test
    void givenHolderBackendKilled_lockIsReleased() {
        HeldLock held = replicaA.tryAcquire().orElseThrow();
        List<Integer> holders = advisoryLockHolders();
        assertThat(holders).hasSize(1);

        // A replica SIGKILLed mid-pass looks the same to PostgreSQL: its session ends. With a timeout,
        // pg_terminate_backend waits until the backend has exited (PostgreSQL ≥ 14), so no guessing with sleeps.
        Boolean terminated = db.dsl().select(DSL.field("pg_terminate_backend({0}, 5000)", Boolean.class,
                DSL.val(holders.get(0)))).fetchOne(0, Boolean.class);
        assertThat(terminated).isTrue();

        try (HeldLock taken = replicaB.tryAcquire().orElseThrow()) {
            assertThat(taken).isNotNull();
        } finally {
            held.close(); // its connection is dead: must not throw
        }
    }

    @Test
    void separateKeys_doNotExcludeEachOther() {
        ReconciliationLockPort other = new PostgresReconciliationLock(db, 42L);
        try (HeldLock a = replicaA.tryAcquire().orElseThrow(); HeldLock b = other.tryAcquire().orElseThrow()) {
            assertThat(a).isNotSameAs(b);
        }
    }

    @Test
    void givenAWriteInFlightWhenTheLockIsTaken_tryAcquireReturnsOnlyOnceItIsVisible() throws Exception {
        // given: a write transaction in flight, as a pass's commit is when its replica is killed: its lock session
        // is gone (the lock is free) but the commit has not landed yet
        try (Connection zombie = db.openDedicatedConnection(); Statement write = zombie.createStatement()) {
            zombie.setAutoCommit(false);
            write.execute("insert into settings (key, value, updated_at) values ('zombie', 'in flight', now())");

            // when: another replica takes the lock; the write commits only once the new holder is waiting for it
            CompletableFuture<Optional<HeldLock>> taking = CompletableFuture.supplyAsync(replicaB::tryAcquire);
            await("the new holder waits for the write in flight").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(5))
                    .failFast("tryAcquire returned while a write begun before it was in flight", taking::isDone)
                    .until(() -> db.dsl().fetchCount(DSL.table("pg_stat_activity"),
                            DSL.condition("datname = current_database() and wait_event = 'PgSleep'")) > 0);
            assertThat(taking).isNotDone();
            zombie.commit();

            // then: the holder's reads see the write
            try (HeldLock held = taking.get(30, TimeUnit.SECONDS).orElseThrow()) {
                assertThat(db.dsl().fetchCount(DSL.table("settings"), DSL.condition("key = 'zombie'"))).isEqualTo(1);
            }
        }
    }

    @Test
    void givenAWriteThatDoesNotEnd_tryAcquireGoesAheadAfterTheFenceTimeout() throws Exception {
        ReconciliationLockPort impatient = new PostgresReconciliationLock(db, PostgresReconciliationLock.DEFAULT_KEY,
                Duration.ofMillis(50));
        try (Connection stuck = db.openDedicatedConnection(); Statement write = stuck.createStatement()) {
            stuck.setAutoCommit(false);
            write.execute("insert into settings (key, value, updated_at) values ('stuck', 'forever', now())");

            // reconciliation must not stop behind a transaction that is not a pass's
            try (HeldLock held = impatient.tryAcquire().orElseThrow()) {
                assertThat(advisoryLockHolders()).hasSize(1);
            }
            stuck.rollback();
        }
    }

    private static List<Integer> advisoryLockHolders() {
        return db.dsl().fetch("select pid from pg_locks where locktype = 'advisory' and granted and database = "
                        + "(select oid from pg_database where datname = current_database())")
                .getValues(0, Integer.class);
    }
}
