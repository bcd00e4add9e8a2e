package io.warmpool.application.service;

import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.domain.WorkspaceId;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Version-7 UUIDs (RFC 9562): the clock's millisecond in the first 48 bits, then 74 bits drawn from a seeded
 * generator and counted up by one for every further id of the same millisecond (RFC 9562 §6.2, method 2).
 *
 * <p>Ids therefore grow with time and, from one generator, strictly in the order they are made: a batch of new
 * workspaces goes to the right-hand end of every index keyed by the id (the primary key, the builds' workspace
 * index) instead of to random pages all over them, and the foreign-key look-ups of their builds hit the pages
 * just written. Random in the service (the generator seeded from a secure source at start); reproducible in the
 * simulator and tests, whose clock is virtual. The last eight hex digits stay random across milliseconds and
 * distinct within one, so they serve as a short suffix; the first eight are the time.
 *
 * <p>Thread-safe. A clock that goes back (or stands still) never produces a smaller id: the last millisecond is
 * kept and counted on.
 */
public final class TimeOrderedIds implements IdGeneratorPort {

    private static final long RAND_B = (1L << 62) - 1;

    private final Clock clock;
    private final RandomGenerator random;
    private long millis = Long.MIN_VALUE;
    /** 12 bits; drawn below 2^11 so that counting up has room before the millisecond must move on. */
    private long randA;
    /** 62 bits. */
    private long randB;

    public TimeOrderedIds(Clock clock, RandomGenerator random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public synchronized WorkspaceId newWorkspaceId() {
        long now = clock.millis();
        if (now > millis) {
            millis = now;
            draw();
        } else if (++randB > RAND_B) {
            randB = 0;
            if (++randA > 0xFFF) {
                millis++;
                draw();
            }
        }
        long hi = (millis << 16) | 0x7000L | randA;
        long lo = 0x8000_0000_0000_0000L | randB;
        return new WorkspaceId(new UUID(hi, lo));
    }

    private void draw() {
        long r;
        synchronized (random) {
            r = random.nextLong();
            randB = random.nextLong() & RAND_B;
        }
        randA = r & 0x7FF;
    }
}
