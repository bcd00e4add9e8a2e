package io.warmpool.domain.plan;

import io.warmpool.domain.PresetId;
import java.util.Comparator;
import java.util.List;

/**
 * The global {@code max-pending-jobs} guard of SPEC R2.4/R9, applied across the plans of one pass.
 *
 * <p>Queued creates of all presets count against the cap; deletes never do. Presets get their creates
 * emptiest pool first — lowest eligible ÷ desired, ties by preset id — and a create it lowers carries a
 * {@code PENDING_CAP} blocked line unless an earlier guard already lowered it (the line names the first guard).
 *
 * <p>The result is what granting in that order gives: every preset before the one where the room runs out gets all
 * it wants, that one gets what is left, and every preset after it none. Only that boundary is needed, not the
 * whole order, so the presets are not sorted: a selection over the fill keys (held in primitive arrays) finds the
 * fill at which the room runs out in expected linear time, and only the presets of that one fill are then told
 * apart by their ids, the same way.
 */
public final class PendingCap {

    /** Ranges this small are sorted by insertion and then granted in order. */
    private static final int SMALL = 16;

    private PendingCap() {
    }

    /**
     * @param plans          the per-preset plans, in any order
     * @param maxPendingJobs the cap on queued creates (≥ 0)
     * @param queuedNow      creates already queued (not yet taken by a worker) across all presets
     * @return the plans in the same order as given, lowered where the cap bites
     */
    public static List<PresetPlan> apply(List<PresetPlan> plans, int maxPendingJobs, int queuedNow) {
        return apply(plans, maxPendingJobs, queuedNow, -1);
    }

    /**
     * {@link #apply(List, int, int)} with at most {@code rounds} rounds of selection before a range is sorted
     * instead ({@code -1}: about 2·log₂ of its size); tests force the sorting path with it.
     */
    static List<PresetPlan> apply(List<PresetPlan> plans, int maxPendingJobs, int queuedNow, int rounds) {
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
            int w = given[i].creates();
            wanted[i] = w;
            total += w;
            if (w > 0) {
                candidates++;
            }
        }
        if (total <= room) {
            // The usual steady state: everything fits, so no order is needed and nothing is lowered.
            return Frozen.handOver(given, n);
        }
        Selection s = new Selection(given, wanted, candidates, rounds);
        s.grant(room);
        for (int k = 0; k < candidates; k++) {
            int i = s.position[k];
            if (s.granted[k] < wanted[i]) {
                given[i] = lower(given[i], s.granted[k]);
            }
        }
        return Frozen.handOver(given, n);
    }

    /**
     * The candidates (plans that want creates), numbered in the order given, with their keys in primitive arrays,
     * and {@code order}, a permutation of their numbers that the selection partitions in place.
     */
    private static final class Selection {
        final int[] position;
        final int[] wanted;
        final int[] granted;
        final int[] eligible;
        final int[] desired;
        final PresetId[] ids;
        final int[] order;
        final int maxRounds;

        Selection(PresetPlan[] plans, int[] wantedByPosition, int candidates, int maxRounds) {
            this.maxRounds = maxRounds;
            position = new int[candidates];
            wanted = new int[candidates];
            eligible = new int[candidates];
            desired = new int[candidates];
            ids = new PresetId[candidates];
            order = new int[candidates];
            int k = 0;
            for (int i = 0; i < plans.length; i++) {
                if (wantedByPosition[i] > 0) {
                    PresetState state = plans[i].state();
                    position[k] = i;
                    wanted[k] = wantedByPosition[i];
                    eligible[k] = state.eligible().size();
                    desired[k] = state.desired();
                    ids[k] = state.id();
                    order[k] = k;
                    k++;
                }
            }
            granted = wanted.clone();
        }

        /**
         * Candidate {@code a}'s fill against the fill {@code e ÷ d}. A candidate's desired is ≥ 1 (a plan creates
         * no more than desired), so cross-multiplying compares the fractions exactly.
         */
        int compareFill(int a, long e, long d) {
            return Long.compare(eligible[a] * d, e * desired[a]);
        }

        /** {@link #EMPTIEST_FIRST} on candidates, then the order given, as the stable sort it replaces. */
        int compare(int a, int b) {
            int byFill = compareFill(a, eligible[b], desired[b]);
            if (byFill != 0) {
                return byFill;
            }
            int byId = ids[a].compareTo(ids[b]);
            return byId != 0 ? byId : Integer.compare(a, b);
        }

        /** Past about 2·log₂ rounds a range is sorted instead, so that crafted input cannot make a selection quadratic. */
        private int rounds(int size) {
            return maxRounds >= 0 ? maxRounds : 2 * (32 - Integer.numberOfLeadingZeros(size)) + 4;
        }

        /**
         * Sets {@link #granted} as granting {@code room} in emptiest-first order would. A weighted quickselect on the
         * fill alone, partitioning three ways around a pivot's fill: the room runs out among the emptier ones (the
         * rest gets nothing), or after the equally full ones (the emptier and equal ones keep all they want and the
         * fuller ones are searched), or among the equally full ones, which are then told apart by id.
         */
        void grant(int room) {
            long left = room;
            int lo = 0;
            int hi = order.length;
            int rounds = rounds(hi);
            while (lo < hi && left > 0) {
                if (rounds-- == 0) {
                    grantSorted(lo, hi, left);
                    return;
                }
                int pivot = order[medianOfThree(lo, hi)];
                long pe = eligible[pivot];
                long pd = desired[pivot];
                int lt = lo;
                int gt = hi;
                long emptier = 0;
                long equal = 0;
                for (int k = lo; k < gt; ) {
                    int c = order[k];
                    int cmp = compareFill(c, pe, pd);
                    if (cmp < 0) {
                        emptier += wanted[c];
                        swap(lt++, k++);
                    } else if (cmp > 0) {
                        swap(k, --gt);
                    } else {
                        equal += wanted[c];
                        k++;
                    }
                }
                if (emptier >= left) {
                    none(lt, hi);
                    hi = lt;
                } else if (emptier + equal <= left) {
                    left -= emptier + equal;
                    lo = gt;
                } else {
                    none(gt, hi);
                    grantById(lt, gt, left - emptier);
                    return;
                }
            }
            none(lo, hi);
        }

        /** {@link #grant} within {@code order[lo, hi)}, all of one fill: a weighted quickselect on the whole order. */
        private void grantById(int lo, int hi, long left) {
            int rounds = rounds(hi - lo);
            while (hi - lo > SMALL && left > 0 && rounds-- > 0) {
                int p = partition(lo, hi);
                long before = 0;
                for (int k = lo; k < p; k++) {
                    before += wanted[order[k]];
                }
                if (before >= left) {
                    none(p, hi);
                    hi = p;
                } else {
                    left -= before;
                    int pivot = order[p];
                    int g = (int) Math.min(wanted[pivot], left);
                    granted[pivot] = g;
                    left -= g;
                    lo = p + 1;
                }
            }
            if (left == 0) {
                none(lo, hi);
            } else {
                grantSorted(lo, hi, left);
            }
        }

        /** Sorts {@code order[lo, hi)} and grants {@code left} in that order. */
        private void grantSorted(int lo, int hi, long left) {
            sort(lo, hi);
            for (int k = lo; k < hi; k++) {
                int c = order[k];
                int g = (int) Math.min(wanted[c], left);
                granted[c] = g;
                left -= g;
            }
        }

        private void none(int from, int to) {
            for (int k = from; k < to; k++) {
                granted[order[k]] = 0;
            }
        }

        /** The place in {@code order[lo, hi)} of the median of its first, middle and last candidates. */
        private int medianOfThree(int lo, int hi) {
            int a = lo;
            int b = (lo + hi) >>> 1;
            int c = hi - 1;
            if (compare(order[a], order[b]) > 0) {
                int t = a;
                a = b;
                b = t;
            }
            if (compare(order[b], order[c]) <= 0) {
                return b;
            }
            return compare(order[a], order[c]) > 0 ? a : c;
        }

        /**
         * Partitions {@code order[lo, hi)} around the median of three; returns the pivot's final place, everything
         * before it earlier in the order, everything after it later.
         */
        private int partition(int lo, int hi) {
            int last = hi - 1;
            swap(medianOfThree(lo, hi), last);
            int pivot = order[last];
            int store = lo;
            for (int k = lo; k < last; k++) {
                if (compare(order[k], pivot) < 0) {
                    swap(k, store++);
                }
            }
            swap(store, last);
            return store;
        }

        /** Sorts {@code order[lo, hi)}: by insertion when small, else a heap sort (no recursion, no extra memory). */
        private void sort(int lo, int hi) {
            if (hi - lo <= SMALL) {
                for (int k = lo + 1; k < hi; k++) {
                    int x = order[k];
                    int j = k - 1;
                    while (j >= lo && compare(order[j], x) > 0) {
                        order[j + 1] = order[j];
                        j--;
                    }
                    order[j + 1] = x;
                }
                return;
            }
            int n = hi - lo;
            for (int k = n / 2 - 1; k >= 0; k--) {
                siftDown(lo, k, n);
            }
            for (int end = n - 1; end > 0; end--) {
                swap(lo, lo + end);
                siftDown(lo, 0, end);
            }
        }

        private void siftDown(int base, int k, int n) {
            int x = order[base + k];
            while (true) {
                int child = 2 * k + 1;
                if (child >= n) {
                    break;
                }
                if (child + 1 < n && compare(order[base + child + 1], order[base + child]) > 0) {
                    child++;
                }
                if (compare(order[base + child], x) <= 0) {
                    break;
                }
                order[base + k] = order[base + child];
                k = child;
            }
            order[base + k] = x;
        }

        private void swap(int a, int b) {
            int t = order[a];
            order[a] = order[b];
            order[b] = t;
        }
    }

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
            int needed = Math.max(plan.state().desired() - plan.state().eligible().size() - plan.state().starting(), 0);
            blocked = new PlanAction.Blocked(BlockReason.PENDING_CAP, needed, granted, null);
        }
        actions[n++] = blocked;
        return new PresetPlan(plan.state(), Frozen.handOver(actions, n));
    }

    /** Lowest eligible ÷ desired first (compared exactly, by cross-multiplication), ties by preset id. */
    static final Comparator<PresetPlan> EMPTIEST_FIRST = (a, b) -> {
        long left = (long) a.state().eligible().size() * b.state().desired();
        long right = (long) b.state().eligible().size() * a.state().desired();
        int byFill = Long.compare(left, right);
        return byFill != 0 ? byFill : a.id().compareTo(b.id());
    };
}
