package io.warmpool.domain.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** R13 — the build time T: p90 by nearest rank, five minutes without measurements. */
class BuildTimeTest {

    @Test
    void givenNoBuilds_itIsFiveMinutes() {
        assertThat(BuildTime.p90(List.of())).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void givenOneBuild_itIsThatBuild() {
        assertThat(BuildTime.p90(List.of(Duration.ofSeconds(42)))).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void givenTenBuilds_itIsTheNinthSmallest() {
        // ⌈0.9·10⌉ = 9, whatever the order (the snapshot gives them newest first)
        List<Duration> times = minutes(1, 10);
        Collections.shuffle(times, new Random(10));
        assertThat(BuildTime.p90(times)).isEqualTo(Duration.ofMinutes(9));
    }

    @Test
    void givenFiftyBuilds_itIsTheFortyFifthSmallest() {
        List<Duration> times = IntStream.rangeClosed(1, 50).mapToObj(Duration::ofSeconds)
                .collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
        Collections.reverse(times);
        assertThat(BuildTime.p90(times)).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void givenElevenBuilds_theRankRoundsUp() {
        // ⌈0.9·11⌉ = ⌈9.9⌉ = 10
        assertThat(BuildTime.p90(minutes(1, 11))).isEqualTo(Duration.ofMinutes(10));
    }

    private static List<Duration> minutes(int from, int to) {
        List<Duration> list = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            list.add(Duration.ofMinutes(i));
        }
        return list;
    }
}
