package io.warmpool.application.port.in;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.plan.PlanAction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dry run ({@link InspectUseCase#plan()}): what the next pass would do, preset by preset, without the pools'
 * state that {@link StatusReport} adds to explain it. Planned exactly as a pass plans (same snapshot, planner and
 * pending-jobs cap).
 *
 * @param paused   whether reconciliation is paused: then the next pass does nothing until it is resumed, and the
 *                 actions are what it would do once resumed
 * @param presets  every preset (every stored version), ordered by id, with an empty list when it has nothing to do
 * @param failures presets that could not be planned, with why
 */
public record DryRun(Instant at, boolean paused, List<PresetActions> presets, Map<PresetId, String> failures) {

    public DryRun {
        presets = List.copyOf(presets);
        failures = Map.copyOf(failures);
    }

    /**
     * One preset's actions, in the order a pass carries them out (SPEC R2), and, for a preset sized by demand, why its
     * desired count is what it is.
     *
     * @param sizing R13's sizing behind the preset's desired count (forecast, {@code T}, load, N, expected hit rate),
     *               or {@code null} when the preset has no autoscale or is not active; the pass computed it anyway,
     *               so carrying it costs nothing
     */
    public record PresetActions(PresetId preset, List<PlanAction> actions, Sizing sizing) {
        public PresetActions {
            Objects.requireNonNull(preset, "preset");
            actions = List.copyOf(actions);
        }

        /** The actions of a preset without autoscale. */
        public PresetActions(PresetId preset, List<PlanAction> actions) {
            this(preset, actions, null);
        }
    }
}
