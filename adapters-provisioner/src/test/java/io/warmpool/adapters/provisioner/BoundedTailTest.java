package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedTailTest {

    private record Writes(int capacity, List<byte[]> writes) {
        @Override
        public String toString() {
            return "capacity " + capacity + ", writes of " + writes.stream().map(w -> w.length).toList() + " bytes";
        }
    }

    @Test
    void keepsExactlyTheLastCapacityBytesOfWhatWasWritten() {
        Gen<Integer> capacities = Gen.ints(1, 64);
        Gen<List<byte[]>> writes = Gen.bytes(100).list(0, 20);
        Property.forAll(8403, 1_000, random -> new Writes(capacities.next(random), writes.next(random)),
                input -> keepsTheLastBytes(input.capacity(), input.writes()));
    }

    private static void keepsTheLastBytes(int capacity, List<byte[]> writes) {
        BoundedTail tail = new BoundedTail(capacity);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] write : writes) {
            tail.write(write, 0, write.length);
            all.writeBytes(write);
        }
        byte[] everything = all.toByteArray();
        int kept = Math.min(capacity, everything.length);

        assertThat(tail.bytes()).isEqualTo(java.util.Arrays.copyOfRange(everything, everything.length - kept, everything.length));
        assertThat(tail.total()).isEqualTo(everything.length);
        assertThat(tail.truncated()).isEqualTo(everything.length > capacity);
    }

    @Test
    void aCutInsideAMultiByteCharacterIsSkippedNotGarbled() {
        BoundedTail tail = new BoundedTail(5);
        byte[] text = "aé€z".getBytes(UTF_8); // a(1) é(2) €(3) z(1): the last 5 bytes start inside é
        tail.write(text, 0, text.length);

        assertThat(tail.text()).isEqualTo("€z");
    }
}
