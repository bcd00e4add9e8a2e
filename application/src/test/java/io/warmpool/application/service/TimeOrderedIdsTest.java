package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.WorkspaceId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    private static final long T0 = Instant.parse("2026-11-27T08:00:00Z").toEpochMilli();

    /** A clock whose millisecond the test moves by hand. */
    private static Clock clock(AtomicLong millis) {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
    }

    private static List<String> make(TimeOrderedIds ids, AtomicLong millis, long... steps) {
        List<String> out = new ArrayList<>();
        for (long step : steps) {
            millis.addAndGet(step);
            out.add(ids.newWorkspaceId().text());
        }
        return out;
    }

    @Test
    void givenAClockThatMovesOnStandsStillOrGoesBack_idsSortByTheirTextInTheOrderTheyWereMade() {
        AtomicLong millis = new AtomicLong(T0);
        TimeOrderedIds ids = new TimeOrderedIds(clock(millis), new SplittableRandom(7));

        List<String> made = make(ids, millis, 0, 0, 0, 1, 0, -5, 0, 1000, 0, -1000, 3);

        assertThat(made).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void givenAnId_itIsAVersion7UuidCarryingTheClocksMillisecond() {
        AtomicLong millis = new AtomicLong(T0);
        WorkspaceId id = new TimeOrderedIds(clock(millis), new SplittableRandom(7)).newWorkspaceId();

        UUID uuid = id.value();
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2); // RFC 9562
        assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(T0);
    }

    @Test
    void givenTheSameSeedAndClock_theSameIds_andAnotherSeedOthers() {
        AtomicLong a = new AtomicLong(T0);
        AtomicLong b = new AtomicLong(T0);
        AtomicLong c = new AtomicLong(T0);

        List<String> one = make(new TimeOrderedIds(clock(a), new SplittableRandom(7)), a, 0, 0, 1, 0);
        List<String> two = make(new TimeOrderedIds(clock(b), new SplittableRandom(7)), b, 0, 0, 1, 0);
        List<String> three = make(new TimeOrderedIds(clock(c), new SplittableRandom(8)), c, 0, 0, 1, 0);

        assertThat(one).isEqualTo(two);
        assertThat(three).doesNotContainAnyElementsOf(one);
    }

    @Test
    void givenIdsOfTheSameMillisecond_theirLastEightHexDigitsDiffer() {
        AtomicLong millis = new AtomicLong(T0);
        TimeOrderedIds ids = new TimeOrderedIds(clock(millis), new SplittableRandom(7));

        List<String> suffixes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String text = ids.newWorkspaceId().text();
            suffixes.add(text.substring(text.length() - 8));
        }

        assertThat(suffixes).doesNotHaveDuplicates();
    }
}
