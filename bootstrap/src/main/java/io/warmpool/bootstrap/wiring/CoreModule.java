package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.PruneEventsUseCase;
import io.warmpool.application.port.in.RecordPassUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.application.service.ClaimPrebuildService;
import io.warmpool.application.service.EventRetentionService;
import io.warmpool.application.service.InspectService;
import io.warmpool.application.service.PresetHistoryService;
import io.warmpool.application.service.PresetOperationsService;
import io.warmpool.application.service.ProvisionerWorkerService;
import io.warmpool.application.service.ReconcilePresetsService;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.TimeOrderedIds;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.bootstrap.runtime.SystemTimer;
import io.warmpool.domain.backoff.FailurePolicy;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;

/**
 * The application services and the settings they run with. Provides: {@link Clock} (system UTC — the one place
 * the wall clock enters), {@link FailurePolicy}, every use case, {@link TimerPort}, {@link IdGeneratorPort}.
 * Needs the persistence ports (with {@link EventRetentionPort}), a {@link WorkspaceProvisionerPort}, {@link MetricsPort}
 * and {@link EventSinkPort} from the adapter modules.
 */
public final class CoreModule extends AbstractModule {

    private final Settings settings;

    public CoreModule(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(TimerPort.class).to(SystemTimer.class);
        bind(ReconcilePresetsUseCase.class).to(ReconcilePresetsService.class);
        bind(RunProvisionerJobsUseCase.class).to(ProvisionerWorkerService.class);
        bind(ClaimPrebuildUseCase.class).to(ClaimPrebuildService.class);
        bind(InspectUseCase.class).to(InspectService.class);
        bind(ApplyPresetsUseCase.class).to(PresetOperationsService.class);
        bind(OperatePresetsUseCase.class).to(PresetOperationsService.class);
        bind(PauseReconciliationUseCase.class).to(PresetOperationsService.class);
        bind(ReleaseWorkspaceUseCase.class).to(PresetOperationsService.class);
        bind(RecordPassUseCase.class).to(PresetHistoryService.class);
        bind(PresetHistoryUseCase.class).to(PresetHistoryService.class);
        bind(PruneEventsUseCase.class).to(EventRetentionService.class);
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Provides
    @Singleton
    SystemTimer timer() {
        return new SystemTimer();
    }

    @Provides
    @Singleton
    IdGeneratorPort ids(Clock clock) {
        // Time-ordered (UUIDv7), the random part never from --seed: replicas sharing a configuration, or one
        // replica restarted, would make the same ids again and their creates would collide with rows already
        // stored. (The simulator seeds its own.)
        return new TimeOrderedIds(clock, new Random(new SecureRandom().nextLong()));
    }

    @Provides
    @Singleton
    FailurePolicy failurePolicy() {
        return new FailurePolicy(settings.backoff(), settings.failureHardLimit(), new Random(settings.seed()));
    }

    @Provides
    @Singleton
    ReconcileSettings reconcileSettings() {
        return settings.reconcile();
    }

    @Provides
    @Singleton
    WorkerSettings workerSettings() {
        return settings.worker();
    }

    @Provides
    @Singleton
    ReconcilePresetsService reconcile(Clock clock, ReconciliationLockPort lock, SettingsPort settingsPort,
                                      PresetSnapshotPort snapshots, BuildQueuePort queue, IdGeneratorPort ids,
                                      EventSinkPort events, MetricsPort metrics, ReconcileSettings reconcileSettings) {
        return new ReconcilePresetsService(clock, lock, settingsPort, snapshots, queue, ids, events, metrics, reconcileSettings);
    }

    @Provides
    @Singleton
    ProvisionerWorkerService workers(Clock clock, BuildQueuePort queue, WorkspaceProvisionerPort provisioner,
                                     TimerPort timer, FailurePolicy failurePolicy, EventSinkPort events,
                                     MetricsPort metrics, WorkerSettings workerSettings) {
        return new ProvisionerWorkerService(clock, queue, provisioner, timer, failurePolicy, events, metrics, workerSettings);
    }

    @Provides
    @Singleton
    ClaimPrebuildService claims(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics) {
        return new ClaimPrebuildService(clock, claims, nudges, ids, events, metrics);
    }

    @Provides
    @Singleton
    PresetOperationsService operations(Clock clock, PresetStorePort presets, FailureStatePort failures,
                                       SettingsPort settingsPort, WorkspacePort workspaces, BuildQueuePort queue,
                                       NudgePort nudges, EventSinkPort events, FailurePolicy failurePolicy) {
        return new PresetOperationsService(clock, presets, failures, settingsPort, workspaces, queue, nudges, events, failurePolicy);
    }

    @Provides
    @Singleton
    InspectService inspect(Clock clock, PresetSnapshotPort snapshots, SettingsPort settingsPort, PresetStorePort presets,
                           WorkspacePort workspaces, ReconcileSettings reconcileSettings) {
        return new InspectService(clock, snapshots, settingsPort, presets, workspaces, reconcileSettings);
    }

    @Provides
    @Singleton
    PresetHistoryService history(Clock clock, PresetHistoryPort history, PresetStorePort presets, PresetSnapshotPort snapshots) {
        return new PresetHistoryService(clock, history, presets, snapshots);
    }

    @Provides
    @Singleton
    EventRetentionService eventRetention(Clock clock, ReconciliationLockPort lock, EventRetentionPort events,
                                         MetricsPort metrics) {
        return new EventRetentionService(clock, lock, events, metrics, settings.eventRetention());
    }
}
