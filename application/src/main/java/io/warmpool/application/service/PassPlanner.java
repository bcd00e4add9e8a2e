package io.warmpool.application.service;

import io.warmpool.application.port.out.PresetSnapshotPort.Snapshot;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.plan.PendingCap;
import io.warmpool.domain.plan.Planner;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Plans every preset of a snapshot, then applies the global pending-jobs cap. Shared by the pass and the dry run. */
final class PassPlanner {

    private final Planner planner;
    private final int maxPendingJobs;

    PassPlanner(ReconcileSettings settings) {
        this.planner = new Planner(settings.planner());
        this.maxPendingJobs = settings.maxPendingJobs();
    }

    record Planned(List<PresetPlan> plans, Map<PresetId, String> failures) {
    }

    Planned plan(Snapshot snapshot, Instant now) {
        List<PresetPlan> plans = new ArrayList<>(snapshot.presets().size());
        Map<PresetId, String> failures = new LinkedHashMap<>();
        for (PresetSnapshot preset : snapshot.presets()) {
            try {
                plans.add(planner.plan(preset, now));
            } catch (RuntimeException e) {
                // One preset's bad data must never stop the others (A1).
                failures.put(preset.id(), "planning failed: " + describe(e));
            }
        }
        return new Planned(PendingCap.apply(plans, maxPendingJobs, snapshot.queuedCreates()), failures);
    }

    static String describe(Throwable e) {
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}
