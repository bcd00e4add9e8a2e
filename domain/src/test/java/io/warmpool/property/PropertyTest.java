package io.warmpool.property;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropertyTest {

    @Test
    void givenTheSameSeed_theSameCasesAreGenerated() {
        List<List<Integer>> first = new ArrayList<>();
        List<List<Integer>> second = new ArrayList<>();
        Gen<List<Integer>> lists = Gen.ints(-5, 5).list(0, 6);

        Property.forAll(42, 50, lists, first::add);
        Property.forAll(42, 50, lists, second::add);

        assertThat(first).hasSize(50).isEqualTo(second);
        assertThat(first).flatMap(l -> l).allMatch(i -> i >= -5 && i <= 5).contains(-5, 5);
    }

    @Test
    void aFailureNamesTheSeedTheCaseAndTheValue_andTheCaseReplaysAlone() {
        Gen<Integer> ints = Gen.ints(0, 1_000);
        List<Integer> seen = new ArrayList<>();

        assertThatThrownBy(() -> Property.forAll(7, 200, ints, i -> {
            seen.add(i);
            assertThat(i).isLessThan(900);
        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("property case " + (seen.size() - 1) + " of 200 (seed 7) failed for " + seen.get(seen.size() - 1))
                .hasMessageContaining("-Dproperty.case=" + (seen.size() - 1))
                .hasCauseInstanceOf(AssertionError.class);

        int failing = seen.size() - 1;
        assertThat(ints.next(Property.caseRandom(7, failing))).isEqualTo(seen.get(failing));
    }

    @Test
    void aCheckedExceptionFailsTheProperty() {
        assertThatThrownBy(() -> Property.forAll(1, 10, Gen.constant("x"), s -> {
            throw new java.io.IOException("boom");
        })).isInstanceOf(AssertionError.class).hasMessageContaining("case 0 of 10").hasRootCauseMessage("boom");
    }

    @Test
    void frequencyFollowsTheWeights_andEveryGeneratorKeepsItsBounds() {
        Tally tally = new Tally();
        Gen<String> weighted = Gen.frequency(Gen.weighted(9, Gen.constant("often")), Gen.weighted(1, Gen.constant("rarely")));
        Property.forAll(3, 2_000, weighted, tally::add);
        assertThat(tally.percent("often")).isBetween(85.0, 95.0);

        Property.forAll(4, 500, Gen.strings("ab", 2, 3), s -> assertThat(s).hasSizeBetween(2, 3).matches("[ab]+"));
        Property.forAll(5, 500, Gen.longs(Long.MAX_VALUE - 1, Long.MAX_VALUE),
                l -> assertThat(l).isGreaterThanOrEqualTo(Long.MAX_VALUE - 1));
        Property.forAll(6, 500, Gen.ints(Integer.MAX_VALUE - 1, Integer.MAX_VALUE),
                i -> assertThat(i).isGreaterThanOrEqualTo(Integer.MAX_VALUE - 1));
        Property.forAll(7, 500, Gen.bytes(3), b -> assertThat(b.length).isBetween(0, 3));
    }

    @Test
    void aTallyBelowItsMinimumFails() {
        Tally tally = new Tally();
        tally.add("accepted");
        tally.add("rejected");
        tally.add("rejected");

        tally.assertAtLeastPercent("rejected", 60);
        assertThatThrownBy(() -> tally.assertAtLeastPercent("accepted", 50)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("accepted: 33.3% of 3 cases");
    }
}
