package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorCompletionSchedulerTest {

    @Test
    void runsTheTaskOnTheExecutorNeverInline_andRejectsOnceShutDown() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        ExecutorCompletionScheduler scheduler = new ExecutorCompletionScheduler(executor);
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();

        scheduler.schedule(Duration.ZERO, () -> ranOn.complete(Thread.currentThread()));

        assertThat(ranOn.orTimeout(10, TimeUnit.SECONDS).join()).isNotSameAs(Thread.currentThread());
        executor.shutdown();
        assertThatThrownBy(() -> scheduler.schedule(Duration.ZERO, () -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> scheduler.schedule(Duration.ofMillis(-1), () -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
