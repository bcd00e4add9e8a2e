package io.warmpool.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The order of workspace ids is the order of their canonical lowercase text (SPEC R2.3's tie-breaker). */
class WorkspaceIdTest {

    private static final long[] EDGES = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x00000000ffffffffL, 0xffffffff00000000L,
            0x0a00000000000000L, 0x9000000000000000L};

    @Test
    void comparingIdsIsComparingTheirText_onEdgesAndSeededRandomIds() {
        SplittableRandom random = new SplittableRandom(21);
        for (int i = 0; i < 20_000; i++) {
            WorkspaceId a = new WorkspaceId(new UUID(bits(random), bits(random)));
            WorkspaceId b = random.nextInt(4) == 0
                    ? new WorkspaceId(new UUID(a.value().getMostSignificantBits(), bits(random))) // same high half
                    : new WorkspaceId(new UUID(bits(random), bits(random)));
            assertThat(Integer.signum(a.compareTo(b)))
                    .as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(a.text().compareTo(b.text())));
        }
    }

    @Test
    void anIdEqualsItselfInTheOrder() {
        WorkspaceId id = WorkspaceId.parse("9a3e1c52-0000-4000-8000-00000000000f");
        assertThat(id.compareTo(WorkspaceId.parse("9a3e1c52-0000-4000-8000-00000000000f"))).isZero();
    }

    private static long bits(SplittableRandom random) {
        return random.nextInt(3) == 0 ? EDGES[random.nextInt(EDGES.length)] : random.nextLong();
    }
}
