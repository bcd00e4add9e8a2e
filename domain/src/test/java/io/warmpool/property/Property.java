package io.warmpool.property;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The project's seeded property harness: {@link #forAll} runs a property on a fixed number of generated cases from a
 * fixed seed, so every run checks the same inputs and a failure replays exactly.
 *
 * <p>Each case draws from its own stream, {@link #caseRandom(long, int)}, derived from the seed and the case's index
 * only: a failure names the seed, the index and the value, and {@code -Dproperty.case=INDEX} (with
 * {@code -Dtest=TheTest#theProperty}) runs that one case again, whatever the other cases draw. There is no shrinking;
 * keep generators small-leaning and print-friendly instead.
 *
 * <pre>{@code
 * Property.forAll(8101, 500, Gen.ints(0, 10).list(0, 5), counts -> assertThat(sum(counts)).isLessThanOrEqualTo(50));
 * }</pre>
 *
 * <p>Written for this project rather than taken from a property-testing library: see docs/decisions.md, "Property
 * tests run on our own seeded harness". Published to the other modules' tests through the domain's test-jar.
 */
public final class Property {

    /** Set to a case index to run only that case (the failure message names it). */
    public static final String ONLY_CASE = "property.case";

    private static final int MAX_SHOWN = 1_000;

    private Property() {
    }

    /** A property of one value; it fails by throwing (an assertion, or anything else). */
    @FunctionalInterface
    public interface Check<T> {
        void check(T value) throws Exception;
    }

    /**
     * Runs {@code property} on {@code tries} values of {@code generator} drawn from {@code seed}.
     *
     * @throws AssertionError naming the seed, the case and its value, with the property's failure as the cause
     */
    public static <T> void forAll(long seed, int tries, Gen<T> generator, Check<? super T> property) {
        String only = System.getProperty(ONLY_CASE);
        int from = only == null ? 0 : Integer.parseInt(only.trim());
        int to = only == null ? tries : from + 1;
        for (int i = from; i < to; i++) {
            T value;
            try {
                value = generator.next(caseRandom(seed, i));
            } catch (RuntimeException e) {
                throw new AssertionError(where(seed, i, tries) + ": the generator failed", e);
            }
            try {
                property.check(value);
            } catch (Throwable e) {
                throw new AssertionError(where(seed, i, tries) + " failed for " + show(value)
                        + "\nreplay only this case with -D" + ONLY_CASE + "=" + i + "\n" + e, e);
            }
        }
    }

    /** The stream case {@code index} of {@code seed} draws from: independent of every other case. */
    public static SplittableRandom caseRandom(long seed, int index) {
        return new SplittableRandom(mix(mix(seed) + index));
    }

    /** SplitMix64's finalizer: neighbouring seeds and indexes give unrelated streams. */
    private static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String where(long seed, int index, int tries) {
        return "property case " + index + " of " + tries + " (seed " + seed + ")";
    }

    /** The value as a reader wants it in a failure: arrays spelled out, long texts cut. */
    static String show(Object value) {
        String text = value instanceof byte[] bytes ? bytes.length + " bytes " + Arrays.toString(bytes)
                : value instanceof Object[] array ? Arrays.deepToString(array)
                : value instanceof String s ? "\"" + s + "\""
                : String.valueOf(value);
        return text.length() <= MAX_SHOWN ? text
                : text.substring(0, MAX_SHOWN) + "… (" + text.length() + " chars in all)";
    }
}
