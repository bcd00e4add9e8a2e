package io.warmpool.domain.plan;

import io.warmpool.domain.PresetId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The plan for one preset: deletes in the order of R2.3, then at most one {@link PlanAction.Create},
 * then at most one {@link PlanAction.Blocked}; a {@link PlanAction.CancelQueued} only for an inactive preset.
 */
public record PresetPlan(PresetState state, List<PlanAction> actions) {

    public PresetPlan {
        Objects.requireNonNull(state, "state");
        actions = Frozen.copyOf(actions);
        if (creates(actions) > state.desired()) {
            throw new IllegalStateException("plan for " + state.id() + " creates " + creates(actions)
                    + " but desired is " + state.desired());
        }
    }

    public PresetId id() {
        return state.id();
    }

    /** How many prebuilds the plan creates. */
    public int creates() {
        return creates(actions);
    }

    /** The deletes, in order. */
    public List<PlanAction.Delete> deletes() {
        return actions.stream().filter(PlanAction.Delete.class::isInstance).map(PlanAction.Delete.class::cast).toList();
    }

    /** How many queued creates the plan cancels. */
    public int cancels() {
        return actions.stream().filter(PlanAction.CancelQueued.class::isInstance)
                .mapToInt(a -> ((PlanAction.CancelQueued) a).count()).sum();
    }

    /** The blocked line, if a guard lowered the create. */
    public Optional<PlanAction.Blocked> blocked() {
        return actions.stream().filter(PlanAction.Blocked.class::isInstance).map(PlanAction.Blocked.class::cast).findFirst();
    }

    /** Whether the plan does nothing at all (a blocked line alone is still nothing to carry out). */
    public boolean isIdle() {
        return creates() == 0 && cancels() == 0 && deletes().isEmpty();
    }

    // A plain loop, not a stream: PendingCap asks every plan of a pass for this, and the stream's setup was a
    // third of the planning benchmark's time (docs/benchmarks.md).
    private static int creates(List<PlanAction> actions) {
        int sum = 0;
        for (int i = 0, n = actions.size(); i < n; i++) { // indexed: the lists here are all random access
            if (actions.get(i) instanceof PlanAction.Create c) {
                sum += c.count();
            }
        }
        return sum;
    }
}
