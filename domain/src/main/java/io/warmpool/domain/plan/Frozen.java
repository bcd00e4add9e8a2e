package io.warmpool.domain.plan;

import java.util.AbstractList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An unmodifiable list over an array that this package built and hands over: nothing else holds the array, so
 * the list needs no defensive copy, and a range of it is a view, not a copy. The planning pass builds a few of
 * these per preset for 100k presets, and {@code List.of(array)} or {@code List.copyOf} would copy each once or twice
 * more (docs/benchmarks.md).
 *
 * <p>Like {@code List.of}, it holds no nulls; it differs only in answering {@code contains(null)} with
 * {@code false} instead of throwing.
 */
final class Frozen<E> extends AbstractList<E> implements RandomAccess {

    private final Object[] elements;
    private final int from;
    private final int to;

    private Frozen(Object[] elements, int from, int to) {
        this.elements = elements;
        this.from = from;
        this.to = to;
    }

    /**
     * The first {@code size} elements of {@code elements} as an unmodifiable list ({@code List.of} for up to two).
     * The caller gives the array up: it must not write to it afterwards.
     *
     * @throws NullPointerException when one of them is null
     */
    @SuppressWarnings("unchecked")
    static <E> List<E> handOver(Object[] elements, int size) {
        Objects.checkFromToIndex(0, size, elements.length);
        for (int i = 0; i < size; i++) {
            Objects.requireNonNull(elements[i]);
        }
        return switch (size) {
            // List.of keeps one or two elements in fields: one object instead of a wrapper and an array
            case 0 -> List.of();
            case 1 -> List.of((E) elements[0]);
            case 2 -> List.of((E) elements[0], (E) elements[1]);
            default -> new Frozen<>(elements, 0, size);
        };
    }

    /** {@code list} when it needs no copy (a frozen list, or one of {@code List.of}'s), else {@link List#copyOf}. */
    static <E> List<E> copyOf(Collection<? extends E> list) {
        if (list instanceof Frozen<?>) {
            @SuppressWarnings("unchecked")
            List<E> frozen = (List<E>) list;
            return frozen;
        }
        return List.copyOf(list);
    }

    /** Elements {@code [from, to)} of {@code list}: a view when it is frozen, else one copy. */
    static <E> List<E> range(List<E> list, int from, int to) {
        if (list instanceof Frozen<E> frozen) {
            return frozen.subList(from, to);
        }
        Objects.checkFromToIndex(from, to, list.size());
        Object[] copy = new Object[to - from];
        for (int i = from; i < to; i++) {
            copy[i - from] = list.get(i);
        }
        return handOver(copy, copy.length);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        Objects.checkIndex(index, to - from);
        return (E) elements[from + index];
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public List<E> subList(int fromIndex, int toIndex) {
        Objects.checkFromToIndex(fromIndex, toIndex, size());
        return fromIndex == toIndex ? List.of() : new Frozen<>(elements, from + fromIndex, from + toIndex);
    }

    @Override
    public Object[] toArray() {
        return java.util.Arrays.copyOfRange(elements, from, to);
    }
}
