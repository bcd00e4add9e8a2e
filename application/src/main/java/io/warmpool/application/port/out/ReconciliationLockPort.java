package io.warmpool.application.port.out;

import java.util.Optional;

/**
 * The cluster-wide reconciliation lock: at most one replica runs a pass at a time. The lock is released when
 * the holder closes it or its connection dies, so a killed replica never keeps it.
 */
public interface ReconciliationLockPort {

    /** Takes the lock without waiting; empty when another replica holds it. */
    Optional<HeldLock> tryAcquire();

    /** A held lock; closing it releases it. */
    interface HeldLock extends AutoCloseable {
        @Override
        void close();
    }
}
