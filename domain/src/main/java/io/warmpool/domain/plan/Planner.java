package io.warmpool.domain.plan;

import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
        return new PresetPlan(state, state.active() ? planActive(state) : planInactive(state));
    }

    private static List<PlanAction> planInactive(PresetState state) {
        int inactive = state.running().size() + state.failed().size();
        int unhealthy = state.unhealthy().size();
        int deletes = inactive + unhealthy;
        PlanAction.Delete[] all = new PlanAction.Delete[deletes];
        int n = 0;
        for (Prebuild p : state.running()) {
            all[n++] = new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.INACTIVE);
        }
        for (FailedPrebuild f : state.failed()) {
            all[n++] = new PlanAction.Delete(f.id(), f.createdAt(), DeleteReason.INACTIVE);
        }
        Arrays.sort(all, 0, inactive, DeleteOrder.DELETES);
        // R2.3: the unhealthy step comes right after the inactive one (already oldest first in the state)
        for (Prebuild p : state.unhealthy()) {
            all[n++] = new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.UNHEALTHY);
        }
        PlanAction[] actions = Arrays.copyOf(all, deletes + 1, PlanAction[].class);
        if (state.queued() > 0) {
            actions[n++] = new PlanAction.CancelQueued(state.queued());
        }
        return Frozen.handOver(actions, n);
    }

    private List<PlanAction> planActive(PresetState state) {
        List<Expired> expired = state.expired();
        List<Prebuild> eligible = state.eligible();
        List<FailedPrebuild> failed = state.failed();
        int extraneous = state.extraneous();
        int need = state.need();
        List<Prebuild> unhealthy = state.unhealthy();
        if (expired.isEmpty() && extraneous == 0 && failed.isEmpty() && need == 0 && unhealthy.isEmpty()) {
            return List.of(); // a full pool: nothing to do, nothing to allocate
        }
        // The most there can be: every delete, a create and a blocked line.
        PlanAction[] actions = new PlanAction[unhealthy.size() + expired.size() + extraneous + failed.size() + 2];
        int n = 0;
        // unhealthy (R11): its own step, first of an active preset's (right after INACTIVE in R2.3's order)
        for (int i = 0; i < unhealthy.size(); i++) {
            Prebuild p = unhealthy.get(i);
            actions[n++] = new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.UNHEALTHY);
        }
        // (a) expired and invalidated, one step, oldest first (PresetState keeps them in DeleteOrder)
        // indexed loops here: an iterator over the several list classes a state holds is not optimised away
        for (int i = 0; i < expired.size(); i++) {
            Expired e = expired.get(i);
            actions[n++] = new PlanAction.Delete(e.prebuild().id(), e.prebuild().createdAt(), e.reason().deleteReason());
        }
        // (b) the extraneous oldest eligible ones (eligible is in DeleteOrder too)
        for (int i = 0; i < extraneous; i++) {
            Prebuild p = eligible.get(i);
            actions[n++] = new PlanAction.Delete(p.id(), p.createdAt(), DeleteReason.EXTRANEOUS);
        }
        // (c) failed prebuilds past their retention
        Duration retention = settings.failedRetention();
        for (int i = 0; i < failed.size(); i++) {
            FailedPrebuild f = failed.get(i);
            if (Duration.between(f.failedAt(), state.at()).compareTo(retention) >= 0) {
                actions[n++] = new PlanAction.Delete(f.id(), f.createdAt(), DeleteReason.FAILED_CLEANUP);
            }
        }
        // (d) what is missing, then the guards in their order
        if (need > 0) {
            Guarded guarded = guard(state, need);
            if (guarded.allowed() > 0) {
                actions[n++] = new PlanAction.Create(guarded.allowed());
            }
            if (guarded.blocked().isPresent()) {
                actions[n++] = guarded.blocked().get();
            }
        }
        return Frozen.handOver(actions, n);
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
}
