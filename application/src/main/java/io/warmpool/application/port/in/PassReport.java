package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a pass did.
 *
 * @param startedAt when the pass started, by the injected clock: for a pass that ran, read once it held the
 *                  reconciliation lock, so {@code [startedAt, startedAt + duration]} lies inside the lock hold
 * @param skipped   why the pass did nothing, or {@code null} when it ran
 * @param plans     the plans carried out (after the pending-jobs cap), ordered by preset id
 * @param failures  presets whose planning or execution failed, with a message; the others went ahead
 * @param duration  time the pass took, by the injected clock, up to its last write (events included)
 */
public record PassReport(Instant startedAt, Skipped skipped, List<PresetPlan> plans, int creates, int deletes,
                         int cancels, Map<PresetId, String> failures, Duration duration) {

    public PassReport {
        plans = List.copyOf(plans);
        failures = Map.copyOf(failures);
    }

    /** Why a pass was skipped. */
    public enum Skipped {
        LOCKED_ELSEWHERE,
        PAUSED
    }

    public static PassReport skipped(Instant at, Skipped why) {
        return new PassReport(at, why, List.of(), 0, 0, 0, Map.of(), Duration.ZERO);
    }

    public boolean ran() {
        return skipped == null;
    }
}
