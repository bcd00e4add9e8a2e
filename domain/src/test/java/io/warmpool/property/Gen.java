package io.warmpool.property;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A generator of test inputs: draws one value from a seeded {@link SplittableRandom}. Combine generators with plain
 * Java — {@code r -> new Pair(a.next(r), b.next(r))} — rather than a combinator library. There is no shrinking: a
 * failing case is replayed exactly from its seed and index (see {@link Property}), and generators should lean to
 * small values and edge cases on purpose so that failures are readable without it.
 */
@FunctionalInterface
public interface Gen<T> {

    /** Draws one value; must use only {@code random}, so that the same stream gives the same value. */
    T next(SplittableRandom random);

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    /** This generator, giving {@code null} with the given probability. */
    default Gen<T> orNull(double probability) {
        return random -> random.nextDouble() < probability ? null : next(random);
    }

    /** Only values that {@code keep} accepts; fails loudly rather than loop forever when it accepts almost none. */
    default Gen<T> filter(Predicate<? super T> keep) {
        return random -> {
            for (int i = 0; i < 10_000; i++) {
                T value = next(random);
                if (keep.test(value)) {
                    return value;
                }
            }
            throw new IllegalStateException("filter rejected 10,000 values in a row: change the generator");
        };
    }

    /** Lists of {@code minSize} to {@code maxSize} (inclusive) values of this generator. */
    default Gen<List<T>> list(int minSize, int maxSize) {
        return random -> {
            int size = random.nextInt(minSize, maxSize + 1);
            List<T> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(next(random));
            }
            return values;
        };
    }

    // ---- simple generators ---------------------------------------------------------------------------------

    static <T> Gen<T> constant(T value) {
        return random -> value;
    }

    /** Integers from {@code min} to {@code max}, both inclusive. */
    static Gen<Integer> ints(int min, int max) {
        return random -> (int) random.nextLong(min, (long) max + 1);
    }

    /** Longs from {@code min} to {@code max}, both inclusive (the full range included). */
    static Gen<Long> longs(long min, long max) {
        return random -> {
            if (max < Long.MAX_VALUE) {
                return random.nextLong(min, max + 1);
            }
            return min > Long.MIN_VALUE ? random.nextLong(min - 1, max) + 1 : random.nextLong();
        };
    }

    /** Doubles from {@code min} (inclusive) to {@code max} (exclusive). */
    static Gen<Double> doubles(double min, double max) {
        return random -> random.nextDouble(min, max);
    }

    static Gen<Boolean> booleans() {
        return SplittableRandom::nextBoolean;
    }

    /** One of {@code values}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return choose(List.of(values));
    }

    /** One of {@code values}, each as likely ({@code values} may hold {@code null}). */
    static <T> Gen<T> choose(List<T> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("nothing to choose from");
        }
        List<T> copy = new ArrayList<>(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** One of the constants of {@code type}, each as likely. */
    static <E extends Enum<E>> Gen<E> of(Class<E> type) {
        return choose(List.of(type.getEnumConstants()));
    }

    /** A value of one of {@code generators}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... generators) {
        List<Gen<? extends T>> copy = List.of(generators);
        return random -> copy.get(random.nextInt(copy.size())).next(random);
    }

    /** A value of one of the generators, chosen in proportion to its weight. */
    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<? extends T>... choices) {
        List<Weighted<? extends T>> copy = List.of(choices);
        int total = copy.stream().mapToInt(Weighted::weight).sum();
        return random -> {
            int draw = random.nextInt(total);
            for (Weighted<? extends T> choice : copy) {
                draw -= choice.weight();
                if (draw < 0) {
                    return choice.generator().next(random);
                }
            }
            throw new AssertionError("unreachable");
        };
    }

    static <T> Weighted<T> weighted(int weight, Gen<T> generator) {
        return new Weighted<>(weight, generator);
    }

    /** A generator and its positive weight, for {@link #frequency}. */
    record Weighted<T>(int weight, Gen<T> generator) {
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be positive: " + weight);
            }
            Objects.requireNonNull(generator, "generator");
        }
    }

    /** Strings of {@code minLength} to {@code maxLength} code points, each drawn from {@code alphabet}. */
    static Gen<String> strings(String alphabet, int minLength, int maxLength) {
        int[] codePoints = alphabet.codePoints().toArray();
        return random -> {
            int length = random.nextInt(minLength, maxLength + 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            return sb.toString();
        };
    }

    /**
     * Strings of up to {@code maxLength} chars, each any of U+0000 to U+FFFF: control characters, NUL and unpaired
     * surrogates included (the text a hostile or broken client can send).
     */
    static Gen<String> anyStrings(int maxLength) {
        return anyStrings(0, maxLength);
    }

    /** Like {@link #anyStrings(int)}, of {@code minLength} to {@code maxLength} chars. */
    static Gen<String> anyStrings(int minLength, int maxLength) {
        return random -> {
            int length = random.nextInt(minLength, maxLength + 1);
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) random.nextInt(Character.MAX_VALUE + 1);
            }
            return new String(chars);
        };
    }

    /** Byte arrays of up to {@code maxSize} bytes, any values. */
    static Gen<byte[]> bytes(int maxSize) {
        return random -> {
            byte[] bytes = new byte[random.nextInt(maxSize + 1)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            return bytes;
        };
    }

    /**
     * Nested values: {@code step} applied to {@code base} a number of times drawn from {@code minDepth} to
     * {@code maxDepth}, so a depth-0 value is a {@code base} one.
     */
    static <T> Gen<T> recursive(Gen<T> base, UnaryOperator<Gen<T>> step, int minDepth, int maxDepth) {
        return random -> {
            int depth = random.nextInt(minDepth, maxDepth + 1);
            Gen<T> generator = base;
            for (int i = 0; i < depth; i++) {
                generator = step.apply(generator);
            }
            return generator.next(random);
        };
    }
}
