package io.warmpool.domain.plan;

import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Plans one preset (SPEC R2): pure and deterministic — the same snapshot and {@code now} give the same plan.
 * The global pending-jobs cap spans presets and is applied afterwards by {@link PendingCap}.
 */
public final class Planner {

    private final PlannerSettings settings;

    public Planner(PlannerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public PlannerSettings settings() {
        return settings;
    }

    /** Derives the state of {@code snapshot} at {@code now} and plans it. */
    public PresetPlan plan(PresetSnapshot snapshot, Instant now) {
        return plan(PresetState.of(snapshot, now));
    }

    /** Plans a preset whose state has been derived already. */
    public PresetPlan plan(PresetState state) {
        List<PlanAction> actions = new ArrayList<>();
        if (!state.active()) {
            planInactive(state, actions);
        } else {
            planActive(state, actions);
        }
        return new PresetPlan(state, actions);
    }

    private static void planInactive(PresetState state, List<PlanAction> actions) {
        List<PlanAction.Delete> all = new ArrayList<>();
        state.running().forEach(p -> all.add(new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.INACTIVE)));
        state.failed().forEach(f -> all.add(new PlanAction.Delete(f.id(), f.createdAt(), DeleteReason.INACTIVE)));
        all.sort(DELETE_ORDER);
        actions.addAll(all);
        if (state.queued() > 0) {
            actions.add(new PlanAction.CancelQueued(state.queued()));
        }
    }

    private void planActive(PresetState state, List<PlanAction> actions) {
        // (a) expired and invalidated, one step, oldest first
        for (Expired e : state.expired()) {
            actions.add(new PlanAction.Delete(e.prebuild().id(), e.prebuild().createdAt(), e.reason().deleteReason()));
        }
        // (b) the extraneous oldest eligible ones
        List<Prebuild> eligible = state.eligible();
        for (int i = 0; i < state.extraneous(); i++) {
            Prebuild p = eligible.get(i);
            actions.add(new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.EXTRANEOUS));
        }
        // (c) failed prebuilds past their retention
        Duration retention = settings.failedRetention();
        for (FailedPrebuild f : state.failed()) {
            if (Duration.between(f.failedAt(), state.at()).compareTo(retention) >= 0) {
                actions.add(new PlanAction.Delete(f.id(), f.createdAt(), DeleteReason.FAILED_CLEANUP));
            }
        }
        // (d) what is missing, then the guards in their order
        int need = Math.max(state.desired() - eligible.size() - state.starting(), 0);
        if (need == 0) {
            return;
        }
        Guarded guarded = guard(state, need);
        if (guarded.allowed() > 0) {
            actions.add(new PlanAction.Create(guarded.allowed()));
        }
        guarded.blocked().ifPresent(actions::add);
    }

    private record Guarded(int allowed, Optional<PlanAction.Blocked> blocked) {
    }

    private Guarded guard(PresetState state, int need) {
        FailureState failure = state.failure();
        if (failure.status() == PresetStatus.VALIDATION_FAILED) {
            return blockedAll(BlockReason.VALIDATION_FAILED, need, null);
        }
        if (failure.status() == PresetStatus.HARD_LIMITED) {
            return blockedAll(BlockReason.HARD_LIMITED, need, null);
        }
        Optional<Instant> backoff = failure.backoffUntil(state.at());
        if (backoff.isPresent()) {
            return blockedAll(BlockReason.BACKOFF, need, backoff.get());
        }
        int allowed = need;
        BlockReason first = null;
        if (failure.consecutiveFailures() > 0) {
            int probe = Math.max(1 - state.starting(), 0);
            if (probe < allowed) {
                first = BlockReason.PROBE;
                allowed = probe;
            }
        }
        int cap = Math.max(settings.maxInFlightCreatesPerPreset() - state.starting(), 0);
        if (cap < allowed) {
            first = first == null ? BlockReason.IN_FLIGHT_CAP : first;
            allowed = cap;
        }
        return first == null
                ? new Guarded(allowed, Optional.empty())
                : new Guarded(allowed, Optional.of(new PlanAction.Blocked(first, need, allowed, null)));
    }

    private static Guarded blockedAll(BlockReason reason, int need, Instant until) {
        return new Guarded(0, Optional.of(new PlanAction.Blocked(reason, need, 0, until)));
    }

    private static final Comparator<PlanAction.Delete> DELETE_ORDER =
            Comparator.comparing(PlanAction.Delete::createdAt).thenComparing(PlanAction.Delete::workspace);
}
