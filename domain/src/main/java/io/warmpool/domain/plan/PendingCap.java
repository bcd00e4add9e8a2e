package io.warmpool.domain.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The global {@code max-pending-jobs} guard of SPEC R2.4/R9, applied across the plans of one pass.
 *
 * <p>Queued creates of all presets count against the cap; deletes never do. Presets get their creates
 * emptiest pool first — lowest eligible ÷ desired, ties by preset id — and a create it lowers carries a
 * {@code PENDING_CAP} blocked line unless an earlier guard already lowered it (the line names the first guard).
 */
public final class PendingCap {

    private PendingCap() {
    }

    /**
     * @param plans          the per-preset plans, in any order
     * @param maxPendingJobs the cap on queued creates (≥ 0)
     * @param queuedNow      creates already queued (not yet taken by a worker) across all presets
     * @return the plans in the same order as given, lowered where the cap bites
     */
    public static List<PresetPlan> apply(List<PresetPlan> plans, int maxPendingJobs, int queuedNow) {
        if (maxPendingJobs < 0) {
            throw new IllegalArgumentException("max-pending-jobs must not be negative, got " + maxPendingJobs);
        }
        int room = Math.max(maxPendingJobs - queuedNow, 0);
        long total = 0;
        for (PresetPlan plan : plans) {
            total += plan.creates();
        }
        if (total <= room) {
            // The usual steady state: everything fits, so no order is needed and nothing is lowered.
            return List.copyOf(plans);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            if (plans.get(i).creates() > 0) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparing((Integer i) -> plans.get(i), EMPTIEST_FIRST));
        List<PresetPlan> result = new ArrayList<>(plans);
        for (int i : order) {
            PresetPlan plan = plans.get(i);
            int wanted = plan.creates();
            int granted = Math.min(wanted, room);
            room -= granted;
            if (granted < wanted) {
                result.set(i, lower(plan, granted));
            }
        }
        return result;
    }

    private static PresetPlan lower(PresetPlan plan, int granted) {
        List<PlanAction> actions = new ArrayList<>();
        PlanAction.Blocked blocked = null;
        for (PlanAction a : plan.actions()) {
            if (a instanceof PlanAction.Create) {
                continue;
            }
            if (a instanceof PlanAction.Blocked b) {
                blocked = b.lowerTo(granted);
                continue;
            }
            actions.add(a);
        }
        if (granted > 0) {
            actions.add(new PlanAction.Create(granted));
        }
        if (blocked == null) {
            int needed = Math.max(plan.state().desired() - plan.state().eligible().size() - plan.state().starting(), 0);
            blocked = new PlanAction.Blocked(BlockReason.PENDING_CAP, needed, granted, null);
        }
        actions.add(blocked);
        return new PresetPlan(plan.state(), actions);
    }

    /** Lowest eligible ÷ desired first (compared exactly, by cross-multiplication), ties by preset id. */
    static final Comparator<PresetPlan> EMPTIEST_FIRST = (a, b) -> {
        long left = (long) a.state().eligible().size() * b.state().desired();
        long right = (long) b.state().eligible().size() * a.state().desired();
        int byFill = Long.compare(left, right);
        return byFill != 0 ? byFill : a.id().compareTo(b.id());
    };
}
