package io.warmpool.bootstrap.architecture.planted.adapters.http;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.function.Supplier;

/**
 * Breaks "only bootstrap reads the wall clock" four ways (a method reference counts too); reading the injected
 * clock is what it should do, and nanoTime (durations) is allowed in adapters.
 */
public final class ReadsTheWallClock {
    private final Clock clock;

    ReadsTheWallClock(Clock clock) {
        this.clock = clock;
    }

    Object wallClock() {
        Supplier<Instant> now = Instant::now;
        return LocalDateTime.now() + " " + System.currentTimeMillis() + " " + Clock.systemUTC() + now.get();
    }

    Instant injected() {
        return Instant.now(clock);
    }

    long elapsedSince(long start) {
        return System.nanoTime() - start;
    }
}
