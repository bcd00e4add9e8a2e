package io.warmpool.domain.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The array-backed list the planner hands over instead of copying: unmodifiable, null-free, a plain list otherwise. */
class FrozenTest {

    @Test
    void aFrozenListIsUnmodifiable_andEqualToTheSameElementsInAnyList() {
        List<String> list = Frozen.handOver(new Object[] {"a", "b", "c", null}, 3);
        assertThat(list).containsExactly("a", "b", "c");
        assertThat(list).isEqualTo(List.of("a", "b", "c")).hasSameHashCodeAs(List.of("a", "b", "c"));
        assertThat(List.of("a", "b", "c")).isEqualTo(list);
        assertThat(list.toString()).isEqualTo("[a, b, c]");
        assertThatThrownBy(() -> list.add("d")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.set(0, "z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.remove(0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aRangeIsAViewThatIsFrozenToo_andNeedsNoCopy() {
        List<String> list = Frozen.handOver(new Object[] {"a", "b", "c", "d"}, 4);
        List<String> range = Frozen.range(list, 1, 3);
        assertThat(range).containsExactly("b", "c");
        assertThat(Frozen.copyOf(range)).isSameAs(range);
        assertThat(range.subList(1, 2)).containsExactly("c");
        assertThatThrownBy(() -> range.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> range.clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(range.toArray()).containsExactly("b", "c");
    }

    @Test
    void aRangeOfAnotherListIsACopy_andCopyOfCopiesWhatIsNotImmutable() {
        java.util.ArrayList<String> mutable = new java.util.ArrayList<>(List.of("a", "b", "c"));
        List<String> range = Frozen.range(mutable, 0, 2);
        List<String> copy = Frozen.copyOf(mutable);
        mutable.set(0, "z");
        assertThat(range).containsExactly("a", "b");
        assertThat(copy).containsExactly("a", "b", "c");
        List<String> immutable = List.of("x");
        assertThat(Frozen.copyOf(immutable)).isSameAs(immutable);
    }

    @Test
    void nullsAreRejected_andNothingIsTheEmptyList() {
        assertThatThrownBy(() -> Frozen.handOver(new Object[] {"a", null}, 2)).isInstanceOf(NullPointerException.class);
        assertThat(Frozen.handOver(new Object[3], 0)).isSameAs(List.of());
    }

    @Test
    void oneOrTwoElementsAreHandedOverAsListOf() {
        assertThat(Frozen.handOver(new Object[] {"a", "b", "c"}, 1)).isEqualTo(List.of("a"));
        List<String> two = Frozen.handOver(new Object[] {"a", "b", "c"}, 2);
        assertThat(two).isEqualTo(List.of("a", "b"));
        assertThat(Frozen.copyOf(two)).isSameAs(two);
        assertThatThrownBy(() -> two.add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Frozen.handOver(new Object[] {null, "b"}, 1)).isInstanceOf(NullPointerException.class);
    }
}
