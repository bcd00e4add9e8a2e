package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedTailTest {

    @Property
    void keepsExactlyTheLastCapacityBytesOfWhatWasWritten(@ForAll @IntRange(min = 1, max = 64) int capacity,
                                                          @ForAll @Size(max = 20) List<@Size(max = 100) byte[]> writes) {
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
