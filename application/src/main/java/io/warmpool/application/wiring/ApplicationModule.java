package io.warmpool.application.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.out.BuildCallbackPort;
import io.warmpool.application.service.CompleteBuildService;
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
import io.warmpool.application.port.out.ClaimWaitersPort;
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
import io.warmpool.application.port.out.DemandHistoryPort;
import io.warmpool.application.service.ClaimArrivals;
import io.warmpool.application.service.ClaimPrebuildService;
import io.warmpool.application.service.ClaimWaitSettings;
import io.warmpool.application.service.EventRetentionService;
import io.warmpool.application.service.EventRetentionSettings;
import io.warmpool.application.service.InspectService;
import io.warmpool.application.service.PresetHistoryService;
import io.warmpool.application.service.PresetOperationsService;
import io.warmpool.application.service.ProvisionerWorkerService;
import io.warmpool.application.service.ReconcilePresetsService;
import io.warmpool.application.service.ReconcileSettings;
import io.warmpool.application.service.WorkerSettings;
import io.warmpool.domain.backoff.FailurePolicy;
import java.time.Clock;

/**
 * Every use case bound to the service that implements it, one instance of each service per injector. The one
 * place the services are constructed: the service, the simulator and the application tests all install this
 * module and differ only in what they bind around it (CONVENTIONS: compose once). The services stay plain
 * constructors, free of Guice.
 *
 * <p>Provides: {@link ReconcilePresetsUseCase}, {@link RunProvisionerJobsUseCase}, {@link ClaimPrebuildUseCase},
 * {@link InspectUseCase}, {@link ApplyPresetsUseCase}, {@link OperatePresetsUseCase},
 * {@link PauseReconciliationUseCase}, {@link ReleaseWorkspaceUseCase}, {@link RecordPassUseCase},
 * {@link PresetHistoryUseCase}, {@link PruneEventsUseCase}, {@link CompleteBuildUseCase} (and the service classes
 * behind them); {@link ClaimArrivals} (this replica's claim arrivals, shared by the claims and the pass); a default {@link BuildCallbackPort} ({@link BuildCallbackPort#NONE}: every build callback rejected),
 * which a provisioner module that calls back replaces with {@code OptionalBinder.setBinding()}.
 *
 * <p>Needs from other modules: {@link Clock}, {@link TimerPort}, {@link IdGeneratorPort}, {@link FailurePolicy},
 * {@link ReconcileSettings}, {@link WorkerSettings}, {@link EventRetentionSettings}, {@link ClaimWaitSettings},
 * {@code CheckSettings}; the persistence ports
 * ({@link PresetSnapshotPort}, {@link PresetStorePort}, {@link FailureStatePort}, {@link SettingsPort},
 * {@link BuildQueuePort}, {@link ClaimPort}, {@link WorkspacePort}, {@link PresetHistoryPort},
 * {@link ReconciliationLockPort}, {@link EventRetentionPort}, {@link ClaimWaitersPort}, {@code WorkspaceChecksPort},
 * {@link DemandHistoryPort}); {@link WorkspaceProvisionerPort}, {@link MetricsPort},
 * {@link EventSinkPort} and {@link NudgePort}.
 */
public final class ApplicationModule extends AbstractModule {

    @Override
    protected void configure() {
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
        bind(CompleteBuildUseCase.class).to(CompleteBuildService.class);
        // No provisioner that calls back unless its module says so (the http provisioner's binds its own).
        OptionalBinder.newOptionalBinder(binder(), BuildCallbackPort.class).setDefault().toInstance(BuildCallbackPort.NONE);
    }

    @Provides
    @Singleton
    CompleteBuildService completeBuilds(Clock clock, BuildCallbackPort callbacks, BuildQueuePort queue,
                                        FailurePolicy failurePolicy, EventSinkPort events, MetricsPort metrics) {
        return new CompleteBuildService(clock, callbacks, queue, failurePolicy, events, metrics);
    }

    @Provides
    @Singleton
    ReconcilePresetsService reconcile(Clock clock, ReconciliationLockPort lock, SettingsPort settings,
                                      PresetSnapshotPort snapshots, BuildQueuePort queue, IdGeneratorPort ids,
                                      EventSinkPort events, MetricsPort metrics, ReconcileSettings reconcileSettings,
                                      ClaimArrivals arrivals) {
        return new ReconcilePresetsService(clock, lock, settings, snapshots, queue, ids, events, metrics, reconcileSettings,
                arrivals);
    }

    /** This replica's claim arrivals (R13 demand): counted by the claims, flushed by the reconcile tick and at stop. */
    @Provides
    @Singleton
    ClaimArrivals arrivals(DemandHistoryPort demand) {
        return new ClaimArrivals(demand);
    }

    @Provides
    @Singleton
    io.warmpool.application.port.in.MarkReadyUseCase markReady(
            io.warmpool.application.port.out.WorkspaceChecksPort checks, ProvisionerWorkerService workers) {
        return new io.warmpool.application.service.AgentReadinessService(checks, workers);
    }

    @Provides
    @Singleton
    ProvisionerWorkerService workers(Clock clock, BuildQueuePort queue, WorkspaceProvisionerPort provisioner,
                                     TimerPort timer, FailurePolicy failurePolicy, EventSinkPort events,
                                     MetricsPort metrics, WorkerSettings workerSettings,
                                     io.warmpool.application.port.out.WorkspaceChecksPort checks,
                                     io.warmpool.application.service.CheckSettings checkSettings) {
        return new ProvisionerWorkerService(clock, queue, provisioner, timer, failurePolicy, events, metrics, workerSettings,
                checks, checkSettings);
    }

    @Provides
    @Singleton
    ClaimPrebuildService claims(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics, ClaimWaitersPort waiters,
                                ClaimWaitSettings waitSettings, WorkspaceProvisionerPort provisioner, TimerPort timer,
                                ClaimArrivals arrivals) {
        return new ClaimPrebuildService(clock, claims, nudges, ids, events, metrics, waiters, waitSettings, provisioner, timer,
                arrivals);
    }

    @Provides
    @Singleton
    PresetOperationsService operations(Clock clock, PresetStorePort presets, FailureStatePort failures,
                                       SettingsPort settings, WorkspacePort workspaces, BuildQueuePort queue,
                                       NudgePort nudges, EventSinkPort events, FailurePolicy failurePolicy) {
        return new PresetOperationsService(clock, presets, failures, settings, workspaces, queue, nudges, events, failurePolicy);
    }

    @Provides
    @Singleton
    InspectService inspect(Clock clock, PresetSnapshotPort snapshots, SettingsPort settings, PresetStorePort presets,
                           WorkspacePort workspaces, ReconcileSettings reconcileSettings) {
        return new InspectService(clock, snapshots, settings, presets, workspaces, reconcileSettings);
    }

    @Provides
    @Singleton
    PresetHistoryService history(Clock clock, PresetHistoryPort history, PresetStorePort presets, PresetSnapshotPort snapshots,
                                 DemandHistoryPort demand) {
        return new PresetHistoryService(clock, history, presets, snapshots, demand);
    }

    @Provides
    @Singleton
    EventRetentionService eventRetention(Clock clock, ReconciliationLockPort lock, EventRetentionPort events,
                                         MetricsPort metrics, EventRetentionSettings retention) {
        return new EventRetentionService(clock, lock, events, metrics, retention);
    }
}
