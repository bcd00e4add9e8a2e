package io.warmpool.domain.plan;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Puts a preset's prebuilds oldest first without sorting what is already in order. */
final class OldestFirst {

    /** Up to this many elements an insertion sort beats the general sort (no run detection, no merge buffer). */
    private static final int INSERTION_SORT_MAX = 32;

    private OldestFirst() {
    }

    /**
     * {@code list} itself when it is already in {@code order} (checked in one pass), else a sorted immutable copy.
     * The sort is stable, as {@link List#sort} is.
     */
    static <T> List<T> sorted(List<T> list, Comparator<? super T> order) {
        int n = list.size();
        for (int i = 1; i < n; i++) {
            if (order.compare(list.get(i - 1), list.get(i)) > 0) {
                return copySorted(list, order);
            }
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> copySorted(List<T> list, Comparator<? super T> order) {
        Object[] a = list.toArray();
        if (a.length > INSERTION_SORT_MAX) {
            Arrays.sort(a, (x, y) -> order.compare((T) x, (T) y));
        } else {
            for (int i = 1; i < a.length; i++) {
                T x = (T) a[i];
                int j = i - 1;
                while (j >= 0 && order.compare((T) a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
        }
        return Frozen.handOver(a, a.length);
    }
}
