package io.warmpool.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.ReconciliationLockPort.HeldLock;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ReconciliationLockPort}: at most one holder at a time, across replicas
 * ({@link #anotherReplica()}) and within one. What a lost connection does to the lock is the database's
 * (adapters-db's database-only lock tests).
 */
public abstract class ReconciliationLockPortContract extends PortContract {

    private ReconciliationLockPort replicaA;
    private ReconciliationLockPort replicaB;

    @BeforeEach
    void replicas() {
        replicaA = store.lock();
        replicaB = anotherReplica().lock();
    }

    @Test
    void givenFreeLock_tryAcquire_holdsIt() {
        Optional<HeldLock> held = replicaA.tryAcquire();
        try {
            assertThat(held).isPresent();
            assertThat(replicaB.tryAcquire()).isEmpty();
        } finally {
            held.ifPresent(HeldLock::close);
        }
        try (HeldLock again = replicaB.tryAcquire().orElseThrow()) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void givenLockHeldByOneReplica_anotherReplicaGetsNothing() {
        try (HeldLock held = replicaA.tryAcquire().orElseThrow()) {
            assertThat(replicaB.tryAcquire()).isEmpty();
            // Same replica, second pass: a concurrent pass of the same replica is refused too.
            assertThat(replicaA.tryAcquire()).isEmpty();
        }
    }

    @Test
    void givenLockReleased_anotherReplicaGetsIt() {
        replicaA.tryAcquire().orElseThrow().close();

        Optional<HeldLock> second = replicaB.tryAcquire();
        assertThat(second).isPresent();
        second.get().close();
    }

    @Test
    void closingTwice_isHarmless() {
        HeldLock held = replicaA.tryAcquire().orElseThrow();
        held.close();
        held.close();
        try (HeldLock again = replicaB.tryAcquire().orElseThrow()) {
            assertThat(replicaA.tryAcquire()).isEmpty();
        }
    }
}
