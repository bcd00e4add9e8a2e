package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.fakes.FakeProvisioner;
import io.warmpool.application.fakes.FakeStore;
import io.warmpool.application.fakes.ManualTimer;
import io.warmpool.application.fakes.MutableClock;
import io.warmpool.application.fakes.Presets;
import io.warmpool.application.fakes.RecordingEvents;
import io.warmpool.application.fakes.RecordingMetrics;
import io.warmpool.application.fakes.SequentialIds;
import io.warmpool.application.port.in.PassReport;
import io.warmpool.application.port.in.ReconcilePresetsUseCase.Scope;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.Worker;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.BackoffPolicy;
import io.warmpool.domain.backoff.BackoffSettings;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.backoff.Jitter;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The application wired to the fakes: one store, a manual clock and timer, sequential ids. Backoff is linear with
 * a one-minute interval (the worked example of R3), hard limit 3, other settings at their defaults unless a test
 * changes {@link #reconcileSettings} or {@link #workerSettings}.
 */
final class World {

    static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");
    static final Duration INTERVAL = Duration.ofMinutes(1);
    static final Worker WORKER = new Worker("replica-1/w1");

    final MutableClock clock = new MutableClock(T0);
    final FakeStore store = new FakeStore();
    final SequentialIds ids = new SequentialIds();
    final RecordingEvents events = new RecordingEvents();
    final RecordingMetrics metrics = new RecordingMetrics();
    final FakeProvisioner provisioner = new FakeProvisioner();
    final ManualTimer timer = new ManualTimer();
    final FailurePolicy failurePolicy = new FailurePolicy(
            new BackoffSettings(new BackoffPolicy.Linear(INTERVAL), Jitter.NONE), 3, new SplittableRandom(7));

    ReconcileSettings reconcileSettings = ReconcileSettings.DEFAULTS;
    WorkerSettings workerSettings = WorkerSettings.DEFAULTS;

    private ReconcilePresetsService reconciler;
    private ReconcileSettings reconcilerBuiltWith;
    private ProvisionerWorkerService worker;
    private WorkerSettings workerBuiltWith;

    /** The reconciler, rebuilt when a test has changed {@link #reconcileSettings} (as a restart would). */
    ReconcilePresetsService reconciler() {
        if (reconciler == null || reconcilerBuiltWith != reconcileSettings) {
            reconciler = new ReconcilePresetsService(clock, store, store, store, store, ids, events, metrics, reconcileSettings);
            reconcilerBuiltWith = reconcileSettings;
        }
        return reconciler;
    }

    ProvisionerWorkerService worker() {
        if (worker == null || workerBuiltWith != workerSettings) {
            worker = new ProvisionerWorkerService(clock, store, provisioner, timer, failurePolicy, events, metrics, workerSettings);
            workerBuiltWith = workerSettings;
        }
        return worker;
    }

    ClaimPrebuildService claims() {
        return new ClaimPrebuildService(clock, store, store, ids, events, metrics);
    }

    PresetOperationsService operations() {
        return new PresetOperationsService(clock, store, store, store, store, store, store, events, failurePolicy);
    }

    InspectService inspect() {
        return new InspectService(clock, store, store, store, store, reconcileSettings);
    }

    // ---- set-up

    /** Applies {@code template@version} with these presets, as the store's apply does (no validation). */
    List<PresetId> apply(String template, String version, PresetDefinition... presets) {
        PresetsDocument document = Presets.document(Presets.template(template, version, presets));
        assertThat(store.apply(document, clock.instant())).isInstanceOf(PresetStorePort.Applied.class);
        return document.templates().get(0).presets().stream().map(p -> document.templates().get(0).idOf(p)).toList();
    }

    /** One preset of {@code instances} in a template of its own, version v1. */
    PresetId preset(String template, int instances) {
        return apply(template, "v1", Presets.preset("small", instances)).get(0);
    }

    // ---- actions

    PassReport pass() {
        return reconciler().reconcile(Scope.ALL);
    }

    PassReport pass(PresetId only) {
        return reconciler().reconcile(Scope.of(Set.of(only)));
    }

    static PresetPlan planOf(PassReport report, PresetId id) {
        return report.plans().stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no plan for " + id + " in " + report.plans()));
    }

    /** Starts one worker step; it is done only once the provisioner's stage completes. */
    CompletableFuture<WorkerStep> startStep() {
        return startStep(WORKER);
    }

    CompletableFuture<WorkerStep> startStep(Worker slot) {
        CompletionStage<WorkerStep> stage = worker().runNext(slot);
        return stage.toCompletableFuture();
    }

    /** One worker step whose provisioner call completes at once (scripted, or answered by default). */
    WorkerStep step() {
        CompletableFuture<WorkerStep> f = startStep();
        assertThat(f).as("worker step finished").isDone();
        return f.join();
    }

    /** Runs workers until the queue has nothing ready, every provisioner call answered by {@code answer}. */
    List<WorkerStep> drain(Function<ProvisionRequest, ProvisionResult> answer) {
        provisioner.answerAll(answer);
        try {
            List<WorkerStep> steps = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                WorkerStep s = step();
                if (s == WorkerStep.IDLE) {
                    return steps;
                }
                steps.add(s);
            }
            throw new AssertionError("the queue never drained");
        } finally {
            provisioner.answerAll(null);
        }
    }

    List<WorkerStep> drainSucceeding() {
        return drain(FakeProvisioner::succeededFor);
    }
}
