package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every preset at one instant: its state and failure state (inside each plan's {@link PresetPlan#state()}) and
 * the plan the next pass would carry out.
 *
 * @param failures presets that could not be planned, with why
 */
public record StatusReport(Instant at, boolean paused, List<PresetPlan> presets, int queuedCreates,
                           Map<PresetId, String> failures) {

    public StatusReport {
        presets = List.copyOf(presets);
        failures = Map.copyOf(failures);
    }
}
