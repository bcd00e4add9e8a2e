package io.warmpool.bootstrap.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmpool.adapters.http.ReadinessCheck.Result;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.NudgePort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz}'s replica part: the reconcile loop and the workers say when they are not running — not started,
 * stopped, or ended by an {@link Error} — and {@link ReplicaReadiness} turns that into "not ready" with the reason.
 */
class ReplicaReadinessTest {

    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    static final Duration SHORT = Duration.ofMillis(20);

    /** A failure no pass or job catches: what ends a thread (out of memory, a bug). */
    static final class Fatal extends Error {
        Fatal(String message) {
            super(message);
        }
    }

    static final NudgePort NO_NUDGES = new NudgePort() {
        @Override
        public void nudge(io.warmpool.domain.PresetId preset) {
        }

        @Override
        public Subscription subscribe(java.util.function.Consumer<io.warmpool.domain.PresetId> listener) {
            return () -> { };
        }
    };

    final AtomicInteger passes = new AtomicInteger();
    volatile boolean passesFail;
    volatile boolean passesDie;
    volatile boolean jobsDie;

    final ReconcilePresetsUseCase reconcile = scope -> {
        passes.incrementAndGet();
        if (passesDie) {
            throw new Fatal("out of cheese");
        }
        if (passesFail) {
            throw new IllegalStateException("database down");
        }
        return PassReport.skipped(T0, PassReport.Skipped.PAUSED);
    };

    final RunProvisionerJobsUseCase jobs = new RunProvisionerJobsUseCase() {
        @Override
        public CompletionStage<WorkerStep> runNext(Worker worker) {
            if (jobsDie && worker.name().endsWith("/w2")) {
                throw new Fatal("worker bug");
            }
            return CompletableFuture.completedFuture(WorkerStep.IDLE);
        }

        @Override
        public int reapLostJobs() {
            return 0;
        }
    };

    final ReconcileLoop loop = new ReconcileLoop(reconcile, NO_NUDGES, SHORT, report -> { }, Duration.ofSeconds(2),
            Clock.fixed(T0, ZoneOffset.UTC));
    final WorkerPool workers = new WorkerPool(jobs, "replica-a", 3, SHORT, SHORT, Duration.ofSeconds(2));
    final ReplicaReadiness readiness = new ReplicaReadiness(loop, workers);

    @AfterEach
    void stop() {
        loop.stop();
        workers.stop();
    }

    @Test
    void beforeStart_notReady_sayingNeitherHasStarted() {
        Result r = readiness.check();

        assertThat(r.ready()).isFalse();
        assertThat(r.detail()).isEqualTo("reconcile loop not started; provisioner workers not started");
        assertThat(loop.startedAt()).isEmpty();
    }

    @Test
    void whileBothRun_ready_evenWhenPassesFail() {
        passesFail = true;
        loop.start();
        workers.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() >= 3);

        assertThat(readiness.check()).isEqualTo(Result.ready("reconcile loop and provisioner workers running"));
        assertThat(loop.startedAt()).contains(T0);
    }

    @Test
    void aPassThatThrowsAnError_endsTheLoop_andReadinessSaysSo() {
        passesDie = true;
        workers.start();
        loop.start();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(readiness.check().ready()).isFalse());

        assertThat(readiness.check().detail()).isEqualTo("reconcile loop ended: " + Fatal.class.getName() + ": out of cheese");
        int after = passes.get();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> passes.get() == after);
    }

    @Test
    void aWorkerKilledByAnError_makesTheReplicaUnready_namingHowManyEnded() {
        jobsDie = true;
        loop.start();
        workers.start();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(readiness.check().ready()).isFalse());

        assertThat(readiness.check().detail()).isEqualTo("1 of 4 provisioner worker threads ended (warmpool-worker-2 ended: "
                + Fatal.class.getName() + ": worker bug)");
    }

    @Test
    void stopped_notReady_sayingWhich() {
        loop.start();
        workers.start();
        assertThat(readiness.check().ready()).isTrue();

        workers.stop();
        assertThat(readiness.check()).isEqualTo(Result.notReady("provisioner workers stopped"));

        loop.stop();
        assertThat(readiness.check()).isEqualTo(Result.notReady("reconcile loop stopped; provisioner workers stopped"));
    }
}
