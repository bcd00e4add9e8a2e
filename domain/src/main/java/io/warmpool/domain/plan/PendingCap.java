package io.warmpool.domain.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The global {@code max-pending-jobs} guard of SPEC R2.4/R9, applied across the plans of one pass.
 *
 * <p>Queued creates of all presets count against the cap; deletes never do. Presets get their creates
 * emptiest pool first ({@link #EMPTIEST_FIRST}: lowest eligible ÷ desired, ties by preset id), in that order, until
 * the room runs out ({@link #grantEmptiestFirst}); a create it lowers carries a {@code PENDING_CAP} blocked line
 * unless an earlier guard already lowered it (the line names the first guard).
 */
public final class PendingCap {

    /**
     * From this many plans wanting creates, the grants come from {@link PendingCapSelection}, which gives the same
     * grants without sorting (a property test checks it). Below it the sort costs well under a millisecond.
     */
    static final int SELECTION_FROM = 1_000;

    /** Lowest eligible ÷ desired first (compared exactly, by cross-multiplication), ties by preset id. */
    static final Comparator<PresetPlan> EMPTIEST_FIRST = (a, b) -> {
        long left = (long) a.state().eligible().size() * b.state().desired();
        long right = (long) b.state().eligible().size() * a.state().desired();
        int byFill = Long.compare(left, right);
        return byFill != 0 ? byFill : a.id().compareTo(b.id());
    };

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
        PresetPlan[] given = plans.toArray(new PresetPlan[0]); // our own copy: lowered plans replace given ones in it
        int n = given.length;
        int[] wanted = new int[n];
        long total = 0;
        int candidates = 0;
        for (int i = 0; i < n; i++) {
            wanted[i] = given[i].creates();
            total += wanted[i];
            candidates += wanted[i] > 0 ? 1 : 0;
        }
        if (total <= room) {
            // The usual steady state: everything fits, so no order is needed and nothing is lowered.
            return Frozen.handOver(given, n);
        }
        int[] granted = candidates < SELECTION_FROM
                ? grantEmptiestFirst(given, wanted, room)
                : PendingCapSelection.grant(given, wanted, room, -1);
        for (int i = 0; i < n; i++) {
            if (granted[i] < wanted[i]) {
                given[i] = lower(given[i], granted[i]);
            }
        }
        return Frozen.handOver(given, n);
    }

    /**
     * The rule: the plans that want creates, in {@link #EMPTIEST_FIRST} order, each get what they want while
     * {@code room} lasts. The sort is stable, so plans equal in fill and id (only tests make those) keep the order
     * given.
     *
     * @param wanted {@code plans[i].creates()}, by position
     * @return the creates granted to each plan, by position
     */
    static int[] grantEmptiestFirst(PresetPlan[] plans, int[] wanted, long room) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < plans.length; i++) {
            if (wanted[i] > 0) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparing((Integer i) -> plans[i], EMPTIEST_FIRST));
        int[] granted = new int[plans.length];
        long left = room;
        for (int i : order) {
            granted[i] = (int) Math.min(wanted[i], left);
            left -= granted[i];
        }
        return granted;
    }

    /** {@code plan} creating {@code granted} instead of what it wanted, with its blocked line. */
    private static PresetPlan lower(PresetPlan plan, int granted) {
        List<PlanAction> given = plan.actions();
        PlanAction[] actions = new PlanAction[given.size() + 2];
        int n = 0;
        PlanAction.Blocked blocked = null;
        for (int i = 0; i < given.size(); i++) { // indexed: no iterator per lowered plan
            PlanAction a = given.get(i);
            if (a instanceof PlanAction.Create) {
                continue;
            }
            if (a instanceof PlanAction.Blocked b) {
                blocked = b.lowerTo(granted);
                continue;
            }
            actions[n++] = a;
        }
        if (granted > 0) {
            actions[n++] = new PlanAction.Create(granted);
        }
        if (blocked == null) {
            blocked = new PlanAction.Blocked(BlockReason.PENDING_CAP, plan.state().need(), granted, null);
        }
        actions[n++] = blocked;
        return new PresetPlan(plan.state(), Frozen.handOver(actions, n));
    }
}
