package io.warmpool.application.service;

import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReconcilePresetsUseCase;
import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspacePort;

/**
 * Maps the outbound ports' read-models to the use cases' own types and back, in one place: a read-model change
 * stops here instead of reaching the REST contract. Enums are mapped by name; a constant one side lacks fails loudly
 * (and {@code ReadModelsTest} tries every one).
 */
final class ReadModels {

    private ReadModels() {
    }

    static Workspace workspace(WorkspacePort.WorkspaceView w) {
        return new Workspace(w.id(), w.name(), w.owner(), w.claimed(), w.preset(), phase(w.phase()), w.createdAt(),
                w.claimedAt(), w.outputs());
    }

    static Workspace.Phase phase(WorkspacePort.Phase phase) {
        return phase == null ? null : Workspace.Phase.valueOf(phase.name());
    }

    static Build build(WorkspacePort.BuildView b) {
        return new Build(b.id().value(), transition(b.transition()), b.status(), b.reason(), b.attempt(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.errorCode(), b.error(), b.log(), b.awaitingCallbackUntil());
    }

    static Build.Transition transition(Transition transition) {
        return Build.Transition.valueOf(transition.name());
    }

    static PresetHistoryUseCase.PresetBuild presetBuild(PresetHistoryPort.PresetBuild b) {
        return new PresetHistoryUseCase.PresetBuild(b.workspace(), build(b.build()));
    }

    static PresetHistoryUseCase.LastPass lastPass(PresetHistoryPort.PassRecord p) {
        return new PresetHistoryUseCase.LastPass(p.startedAt(), p.duration(), p.replica(), p.presets(), p.creates(),
                p.deletes(), p.cancels(), p.failures());
    }

    static PresetHistoryUseCase.Claims claims(PresetHistoryPort.ClaimCounts c) {
        return new PresetHistoryUseCase.Claims(c.served(), c.missed());
    }

    static PresetHistoryUseCase.Sample sample(PresetHistoryPort.PoolSample s) {
        return new PresetHistoryUseCase.Sample(s.at(), s.desired(), s.eligible(), s.starting(), s.failed());
    }

    static PresetSnapshotPort.Scope scope(ReconcilePresetsUseCase.Scope scope) {
        return scope.isAll() ? PresetSnapshotPort.Scope.ALL : PresetSnapshotPort.Scope.of(scope.only());
    }

    static WorkerId worker(RunProvisionerJobsUseCase.Worker worker) {
        return new WorkerId(worker.name());
    }
}
