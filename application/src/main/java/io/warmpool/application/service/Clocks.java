package io.warmpool.application.service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Millisecond precision everywhere (SPEC §2): every service reads its injected clock through here. */
final class Clocks {

    private Clocks() {
    }

    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
