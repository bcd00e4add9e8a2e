package io.warmpool.property;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the labels a property's cases fall under (say "accepted" and "rejected") so a test can check, after
 * {@link Property#forAll}, that its generator reached every kind of case: a property that only ever sees one outcome
 * cannot fail usefully.
 */
public final class Tally {

    private final Map<String, Integer> counts = new TreeMap<>();
    private int total;

    public void add(String label) {
        counts.merge(label, 1, Integer::sum);
        total++;
    }

    public double percent(String label) {
        return total == 0 ? 0 : 100.0 * counts.getOrDefault(label, 0) / total;
    }

    /** Fails unless at least {@code minimum} percent of the cases counted were {@code label}. */
    public Tally assertAtLeastPercent(String label, double minimum) {
        if (percent(label) < minimum) {
            throw new AssertionError(String.format("%s: %.1f%% of %d cases, expected at least %.1f%% (all: %s)",
                    label, percent(label), total, minimum, counts));
        }
        return this;
    }

    @Override
    public String toString() {
        return counts + " of " + total;
    }
}
