package io.warmpool.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import io.warmpool.application.fakes.FakeEventLog;
import io.warmpool.application.fakes.FakeHistory;
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
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.application.wiring.ApplicationModule;
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
import java.time.Clock;
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
 * The application wired to the fakes, from the same {@link ApplicationModule} as the service and the simulator: one
 * store, a manual clock and timer, sequential ids. Backoff is linear with a one-minute interval (the worked example
 * of R3), hard limit 3, other settings at their defaults unless a test changes {@link #reconcileSettings} or
 * {@link #workerSettings} — then the next call builds a new injector, as a restart would.
 */
final class World {

    static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");
    static final Duration INTERVAL = Duration.ofMinutes(1);
    static final Worker WORKER = new Worker("replica-1/w1");

    final MutableClock clock = new MutableClock(T0);
    final FakeStore store = new FakeStore().useClock(clock);
    final FakeHistory history = new FakeHistory();
    final FakeEventLog eventLog = new FakeEventLog();
    final SequentialIds ids = new SequentialIds();
    final RecordingEvents events = new RecordingEvents();
    final RecordingMetrics metrics = new RecordingMetrics();
    final FakeProvisioner provisioner = new FakeProvisioner();
    final ManualTimer timer = new ManualTimer();
    final FailurePolicy failurePolicy = new FailurePolicy(
            new BackoffSettings(new BackoffPolicy.Linear(INTERVAL), Jitter.NONE), 3, new SplittableRandom(7));

    ReconcileSettings reconcileSettings = ReconcileSettings.DEFAULTS;
    WorkerSettings workerSettings = WorkerSettings.DEFAULTS;

    private Injector injector;
    private ReconcileSettings builtWithReconcile;
    private WorkerSettings builtWithWorker;

    /**
     * The fakes and settings of this world, in place of what the service's adapter modules and bootstrap's core
     * module provide.
     */
    private final class Fakes extends AbstractModule {
        private final ReconcileSettings reconcile;
        private final WorkerSettings worker;

        Fakes(ReconcileSettings reconcile, WorkerSettings worker) {
            this.reconcile = reconcile;
            this.worker = worker;
        }

        @Override
        protected void configure() {
            bind(Clock.class).toInstance(clock);
            bind(TimerPort.class).toInstance(timer);
            bind(IdGeneratorPort.class).toInstance(ids);
            bind(FailurePolicy.class).toInstance(failurePolicy);
            bind(ReconcileSettings.class).toInstance(reconcile);
            bind(WorkerSettings.class).toInstance(worker);
            bind(EventRetentionSettings.class).toInstance(EventRetentionSettings.DEFAULTS);
            bind(PresetSnapshotPort.class).toInstance(store);
            bind(PresetStorePort.class).toInstance(store);
            bind(FailureStatePort.class).toInstance(store);
            bind(SettingsPort.class).toInstance(store);
            bind(BuildQueuePort.class).toInstance(store);
            bind(ClaimPort.class).toInstance(store);
            bind(WorkspacePort.class).toInstance(store);
            bind(ReconciliationLockPort.class).toInstance(store);
            bind(NudgePort.class).toInstance(store);
            bind(ClaimWaitersPort.class).toInstance(store);
            bind(io.warmpool.application.port.out.WorkspaceChecksPort.class).toInstance(store);
            bind(CheckSettings.class).toInstance(CheckSettings.DEFAULTS);
            bind(ClaimWaitSettings.class).toInstance(ClaimWaitSettings.DEFAULTS);
            bind(PresetHistoryPort.class).toInstance(history);
            bind(io.warmpool.application.port.out.DemandHistoryPort.class).toInstance(store);
            bind(EventRetentionPort.class).toInstance(eventLog);
            bind(WorkspaceProvisionerPort.class).toInstance(provisioner);
            bind(EventSinkPort.class).toInstance(events);
            bind(MetricsPort.class).toInstance(metrics);
        }
    }

    /** The injector for the current settings: a new one when a test has changed them (as a restart would). */
    Injector injector() {
        if (injector == null || builtWithReconcile != reconcileSettings || builtWithWorker != workerSettings) {
            injector = Guice.createInjector(Stage.DEVELOPMENT, new ApplicationModule(), new Fakes(reconcileSettings, workerSettings));
            builtWithReconcile = reconcileSettings;
            builtWithWorker = workerSettings;
        }
        return injector;
    }

    /**
     * The same application with some of the fakes replaced (a lock that blocks, nudges that fail), for a test of what
     * a service does when a port misbehaves.
     */
    Injector injectorWith(Module replacements) {
        return Guice.createInjector(Stage.DEVELOPMENT, Modules.override(new ApplicationModule(),
                new Fakes(reconcileSettings, workerSettings)).with(replacements));
    }

    ReconcilePresetsService reconciler() {
        return injector().getInstance(ReconcilePresetsService.class);
    }

    ProvisionerWorkerService worker() {
        return injector().getInstance(ProvisionerWorkerService.class);
    }

    ClaimPrebuildService claims() {
        return injector().getInstance(ClaimPrebuildService.class);
    }

    PresetOperationsService operations() {
        return injector().getInstance(PresetOperationsService.class);
    }

    InspectService inspect() {
        return injector().getInstance(InspectService.class);
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
