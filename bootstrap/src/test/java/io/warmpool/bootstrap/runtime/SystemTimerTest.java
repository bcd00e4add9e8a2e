package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.TimerPort;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SystemTimerTest {

    @Test
    void aTaskThatTakesLong_delaysNoOtherTask() throws InterruptedException {
        try (SystemTimer timer = new SystemTimer()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch slowStarted = new CountDownLatch(1);
            // a heartbeat stuck on a slow database, or a claim handoff's timeout doing its second try
            TimerPort.Cancellable slow = timer.every(Duration.ofMillis(10), () -> {
                slowStarted.countDown();
                await(release);
            });
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
            CountDownLatch fast = new CountDownLatch(5);
            TimerPort.Cancellable other = timer.every(Duration.ofMillis(10), fast::countDown);

            assertThat(fast.await(5, TimeUnit.SECONDS)).as("the other task fires while the slow one runs").isTrue();
            release.countDown();
            slow.cancel();
            other.cancel();
        }
    }

    @Test
    void aPeriodicTaskNeverOverlapsItself_andStopsWhenCancelled() throws InterruptedException {
        try (SystemTimer timer = new SystemTimer()) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger runs = new AtomicInteger();
            Semaphore gate = new Semaphore(0);
            TimerPort.Cancellable task = timer.every(Duration.ofMillis(2), () -> {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                try {
                    gate.tryAcquire(10, TimeUnit.SECONDS); // each run lasts until the test lets it end
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                runs.incrementAndGet();
            });
            for (int i = 0; i < 5; i++) {
                Awaitility.await("run " + (i + 1) + " starts").atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 1);
                // held for many periods: every firing meanwhile must be skipped, not started beside it
                Awaitility.await("no second run beside run " + (i + 1)).during(Duration.ofMillis(30))
                        .atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 1);
                gate.release();
            }
            task.cancel();
            gate.release(100); // a run started before the cancel ends at once
            Awaitility.await("a run in progress when cancelled ends").atMost(Duration.ofSeconds(5))
                    .until(() -> inside.get() == 0);
            int after = runs.get();

            assertThat(after).isGreaterThanOrEqualTo(5);
            assertThat(most.get()).as("never two runs at once").isEqualTo(1);
            Awaitility.await("no run after cancel").during(Duration.ofMillis(100))
                    .atMost(Duration.ofSeconds(5)).until(() -> runs.get() == after && inside.get() == 0);
        }
    }

    @Test
    void aTaskThatThrows_isRunAgainAtItsNextPeriod() throws InterruptedException {
        try (SystemTimer timer = new SystemTimer()) {
            CountDownLatch twice = new CountDownLatch(2);
            TimerPort.Cancellable task = timer.every(Duration.ofMillis(5), () -> {
                twice.countDown();
                throw new IllegalStateException("planted: the database is down");
            });
            assertThat(twice.await(5, TimeUnit.SECONDS)).isTrue();
            task.cancel();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
