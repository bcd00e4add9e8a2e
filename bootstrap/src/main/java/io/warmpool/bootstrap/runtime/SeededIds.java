package io.warmpool.bootstrap.runtime;

import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.domain.WorkspaceId;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Version-4 UUIDs drawn from a seeded generator: random in the service (seeded from a secure source at
 * start, never from {@code --seed}, so that no two processes make the same ids), reproducible in the simulator
 * and tests.
 */
public final class SeededIds implements IdGeneratorPort {

    private final RandomGenerator random;

    public SeededIds(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public WorkspaceId newWorkspaceId() {
        long hi;
        long lo;
        synchronized (random) {
            hi = random.nextLong();
            lo = random.nextLong();
        }
        hi = (hi & ~0xF000L) | 0x4000L; // version 4
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new WorkspaceId(new UUID(hi, lo));
    }
}
