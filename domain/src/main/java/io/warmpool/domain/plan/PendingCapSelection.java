package io.warmpool.domain.plan;

import io.warmpool.domain.PresetId;

/**
 * The fast form of {@link PendingCap#grantEmptiestFirst}: the same grants, without sorting the plans. Used by
 * {@link PendingCap#apply} for large passes only, and checked against the readable rule by
 * {@code PendingCapSelectionTest} (seeded random passes: the same grants, plan by plan).
 *
 * <p>Granting in emptiest-first order gives every preset before the one where the room runs out all it wants, that
 * one what is left, and every preset after it none. Only that boundary is needed, not the whole order: a selection
 * over the fill keys (held in primitive arrays) finds the fill at which the room runs out in expected linear time,
 * and only the presets of that one fill are then told apart by their ids, the same way. It exists for the planning
 * target of SPEC §6: on the benchmark's pass (100k presets, 44k of them wanting creates, a room of 4,900) the
 * readable rule's sort took 32–48 ms and this 4.5–6.9 ms, in passes whose planning took 48–110 ms
 * (docs/benchmarks.md, "Readable rules").
 */
final class PendingCapSelection {

    /** Ranges this small are sorted by insertion and then granted in order. */
    private static final int SMALL = 16;

    private PendingCapSelection() {
    }

    /**
     * What each plan gets when {@code room} creates are granted emptiest pool first.
     *
     * @param plans  the plans of the pass, in the order given
     * @param wanted {@code plans[i].creates()}, by position
     * @param rounds at most this many rounds of selection before a range is sorted instead ({@code -1}: about
     *               2·log₂ of its size); tests force the sorting path with it
     * @return the creates granted to each plan, by position (0 for a plan that wants none)
     */
    static int[] grant(PresetPlan[] plans, int[] wanted, long room, int rounds) {
        int candidates = 0;
        for (int w : wanted) {
            if (w > 0) {
                candidates++;
            }
        }
        Selection s = new Selection(plans, wanted, candidates, rounds);
        s.grant(room);
        int[] granted = new int[plans.length];
        for (int k = 0; k < candidates; k++) {
            granted[s.position[k]] = s.granted[k];
        }
        return granted;
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

        /** {@link PendingCap#EMPTIEST_FIRST} on candidates, then the order given, as the stable sort it replaces. */
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
        void grant(long room) {
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
}
