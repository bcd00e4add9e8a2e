package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClaimFollowUpsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    /** Records every publish call and every nudge, by call. */
    private static final class Recorder implements EventSinkPort, NudgePort {
        final List<List<Event>> published = new CopyOnWriteArrayList<>();
        final List<PresetId> nudgedOneByOne = new CopyOnWriteArrayList<>();
        final List<List<PresetId>> nudgedTogether = new CopyOnWriteArrayList<>();
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public void publish(List<Event> events) {
            published.add(List.copyOf(events));
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void nudge(PresetId preset) {
            nudgedOneByOne.add(preset);
        }

        @Override
        public void nudgeAll(Collection<PresetId> presets) {
            nudgedTogether.add(List.copyOf(presets));
        }

        @Override
        public Subscription subscribe(Consumer<PresetId> listener) {
            return () -> { };
        }

        List<Event> allPublished() {
            return published.stream().flatMap(List::stream).toList();
        }

        List<PresetId> allNudged() {
            List<PresetId> all = new ArrayList<>(nudgedOneByOne);
            nudgedTogether.forEach(all::addAll);
            return all;
        }
    }

    private final Recorder recorder = new Recorder();
    private final ClaimFollowUps followUps = new ClaimFollowUps(recorder, recorder);
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static PresetId preset(int i) {
        return new PresetId("python", "v1", "p" + i);
    }

    private static Event claimed(int i) {
        return Event.of(T0, EventType.CLAIM_SUCCEEDED, preset(i), null).with("owner", "user" + i);
    }

    @Test
    void givenALoneClaim_itsEventIsPublishedAndItsPresetNudgedBeforeItReturns() {
        // when
        followUps.handOver(claimed(1), preset(1));

        // then: one publish call, one nudge, as before grouping existed
        assertThat(recorder.published).containsExactly(List.of(claimed(1)));
        assertThat(recorder.nudgedOneByOne).containsExactly(preset(1));
        assertThat(recorder.nudgedTogether).isEmpty();
    }

    @Test
    void givenAHandOverUnderWay_laterClaimsReturnAtOnceAndGoOutTogetherInTheNextGroup() throws Exception {
        // given: claim 1 is publishing, held inside the event sink
        recorder.entered = new CountDownLatch(1);
        recorder.release = new CountDownLatch(1);
        Future<?> first = pool.submit(() -> followUps.handOver(claimed(1), preset(1)));
        assertThat(recorder.entered.await(10, TimeUnit.SECONDS)).isTrue();

        // when: claims 2 and 3 (same preset for 3 as for 2) hand over meanwhile
        pool.submit(() -> followUps.handOver(claimed(2), preset(2))).get(10, TimeUnit.SECONDS);
        pool.submit(() -> followUps.handOver(claimed(3), preset(2))).get(10, TimeUnit.SECONDS);

        // then: they returned without publishing; claim 1's caller publishes them as one group once released
        assertThat(recorder.published).containsExactly(List.of(claimed(1)));
        recorder.release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(recorder.published).containsExactly(List.of(claimed(1)), List.of(claimed(2), claimed(3)));
        assertThat(recorder.nudgedOneByOne).containsExactly(preset(1), preset(2));
    }

    @Test
    void givenManyConcurrentClaims_everyEventIsPublishedOnceInEachCallersOrderAndEveryPresetNudged() throws Exception {
        // given: 3 threads handing over 200 follow-ups each
        int perThread = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    int n = thread * perThread + i;
                    followUps.handOver(claimed(n), preset(n));
                }
                return null;
            }));
        }

        // when
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }

        // then: once every caller has returned, everything went out exactly once
        List<Event> all = recorder.allPublished();
        assertThat(all).hasSize(3 * perThread).doesNotHaveDuplicates();
        for (int t = 0; t < 3; t++) {
            int from = t * perThread;
            List<Event> mine = all.stream().filter(e -> {
                int n = Integer.parseInt(e.details().get("owner").substring("user".length()));
                return n >= from && n < from + perThread;
            }).toList();
            assertThat(mine).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(from, from + perThread).mapToObj(ClaimFollowUpsTest::claimed).toList());
        }
        assertThat(recorder.allNudged()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, 3 * perThread).mapToObj(ClaimFollowUpsTest::preset).toList());
    }
}
