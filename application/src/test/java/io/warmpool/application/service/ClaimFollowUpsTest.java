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
import java.util.concurrent.Semaphore;
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
        /** When gated, every publish call signals {@code entered} and then waits for a permit. */
        volatile boolean gated;
        final Semaphore entered = new Semaphore(0);
        final Semaphore permits = new Semaphore(0);

        @Override
        public void publish(List<Event> events) {
            published.add(List.copyOf(events));
            if (gated) {
                entered.release();
                try {
                    permits.tryAcquire(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
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
    void givenAHandOverUnderWay_laterClaimsAreLeftToItAndGoOutTogetherInItsNextGroup() throws Exception {
        // given: claim 1 is publishing, held inside the event sink
        recorder.gated = true;
        Future<?> first = pool.submit(() -> followUps.handOver(claimed(1), preset(1)));
        awaitPublishing();

        // when: claims 2 and 3 (same preset for 3 as for 2) hand over meanwhile
        pool.submit(() -> followUps.handOver(claimed(2), preset(2))).get(10, TimeUnit.SECONDS);
        pool.submit(() -> followUps.handOver(claimed(3), preset(2))).get(10, TimeUnit.SECONDS);

        // then: they returned at once, left to claim 1's caller, which publishes them as its next group
        assertThat(followUps.queued()).isEqualTo(2);
        assertThat(recorder.published).containsExactly(List.of(claimed(1)));
        recorder.permits.release();
        awaitPublishing();
        recorder.permits.release();
        first.get(10, TimeUnit.SECONDS);
        assertThat(recorder.published).containsExactly(List.of(claimed(1)), List.of(claimed(2), claimed(3)));
        assertThat(recorder.nudgedOneByOne).containsExactly(preset(1), preset(2));
    }

    @Test
    void givenClaimsOfSeveralPresetsInOneGroup_theyAreNudgedTogether() throws Exception {
        // given: claim 1 is publishing, held inside the event sink; claims of presets 2 and 3 are left to it
        recorder.gated = true;
        Future<?> first = pool.submit(() -> followUps.handOver(claimed(1), preset(1)));
        awaitPublishing();
        pool.submit(() -> followUps.handOver(claimed(2), preset(2))).get(10, TimeUnit.SECONDS);
        pool.submit(() -> followUps.handOver(claimed(3), preset(3))).get(10, TimeUnit.SECONDS);

        // when
        recorder.gated = false;
        recorder.permits.release();
        first.get(10, TimeUnit.SECONDS);

        // then
        assertThat(recorder.nudgedOneByOne).containsExactly(preset(1));
        assertThat(recorder.nudgedTogether).containsExactly(List.of(preset(2), preset(3)));
    }

    @Test
    void givenALeaderInItsLastGroup_aLaterClaimWaitsForItAndThenLeads() throws Exception {
        // given: claim 0's caller leads; one claim is left to it per group until it is in its last group
        recorder.gated = true;
        Future<?> leader = pool.submit(() -> followUps.handOver(claimed(0), preset(0)));
        awaitPublishing();
        for (int i = 1; i < ClaimFollowUps.MAX_ROUNDS; i++) {
            int n = i;
            pool.submit(() -> followUps.handOver(claimed(n), preset(n))).get(10, TimeUnit.SECONDS);
            recorder.permits.release();
            awaitPublishing();
        }

        // when: one more claim hands over while the leader is in its last group
        Future<?> late = pool.submit(() -> followUps.handOver(claimed(9), preset(9)));
        awaitQueued(1);

        // then: the late claim waits; the leader stops after its last group and the late caller leads its own
        assertThat(late).isNotDone();
        recorder.permits.release();
        leader.get(10, TimeUnit.SECONDS);
        awaitPublishing();
        assertThat(late).isNotDone();
        recorder.permits.release();
        late.get(10, TimeUnit.SECONDS);
        List<List<Event>> expected = new ArrayList<>();
        for (int i = 0; i < ClaimFollowUps.MAX_ROUNDS; i++) {
            expected.add(List.of(claimed(i)));
        }
        expected.add(List.of(claimed(9)));
        assertThat(recorder.published).containsExactlyElementsOf(expected);
    }

    private void awaitPublishing() throws InterruptedException {
        assertThat(recorder.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Bounded poll until {@code n} follow-ups wait in the queue. */
    private void awaitQueued(int n) throws InterruptedException {
        for (int i = 0; i < 10_000 && followUps.queued() < n; i++) {
            Thread.sleep(1);
        }
        assertThat(followUps.queued()).isEqualTo(n);
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
