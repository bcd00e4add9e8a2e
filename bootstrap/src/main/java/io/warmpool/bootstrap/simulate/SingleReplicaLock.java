package io.warmpool.bootstrap.simulate;

import io.warmpool.application.port.out.ReconciliationLockPort;
import java.util.Optional;

/**
 * The reconciliation lock of a simulator run: the run is the only replica and every pass runs on its one
 * thread, so the lock is a flag in memory. The service's lock (a PostgreSQL advisory lock on a connection opened
 * for each pass) excludes other replicas, of which a run has none; in virtual time, opening ~8,000 connections
 * for a day of 15 s passes was over half of the wall time of {@code simulate}. A pass that finds the flag set
 * (a pass started from inside another, which the simulator never does) is skipped, as a locked-out pass would be.
 */
final class SingleReplicaLock implements ReconciliationLockPort {

    private boolean held;

    @Override
    public Optional<HeldLock> tryAcquire() {
        if (held) {
            return Optional.empty();
        }
        held = true;
        boolean[] released = {false};
        return Optional.of(() -> {
            if (!released[0]) {
                released[0] = true;
                held = false;
            }
        });
    }
}
