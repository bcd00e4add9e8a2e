package io.warmpool.application.service;

import io.warmpool.application.port.in.MarkReadyUseCase;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspaceChecksPort.AgentView;
import io.warmpool.domain.WorkspaceId;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent ready route's use case (SPEC R10 agent): checks the workspace's own token (by its SHA-256, compared in
 * constant time), then makes a provisioned prebuild ready through the workers' {@link ProvisionerWorkerService#markReady}
 * (running, R3 success, event — as a provisioner check's {@code ready} does).
 */
public final class AgentReadinessService implements MarkReadyUseCase {

    private final WorkspaceChecksPort checks;
    private final ProvisionerWorkerService workers;

    public AgentReadinessService(WorkspaceChecksPort checks, ProvisionerWorkerService workers) {
        this.checks = Objects.requireNonNull(checks, "checks");
        this.workers = Objects.requireNonNull(workers, "workers");
    }

    @Override
    public Outcome markReady(WorkspaceId workspace, String bearer) {
        Objects.requireNonNull(workspace, "workspace");
        if (bearer == null || bearer.isBlank()) {
            return Outcome.UNAUTHENTICATED;
        }
        Optional<AgentView> view = checks.agentView(workspace);
        if (view.isEmpty() || !AgentTokens.matches(bearer, view.get().agentTokenSha256())) {
            // Whose token is it? Another workspace's → 403, nobody's → 401 (and an unknown workspace says nothing).
            return checks.agentTokenOwner(AgentTokens.sha256(bearer)).isPresent()
                    ? Outcome.FORBIDDEN : Outcome.UNAUTHENTICATED;
        }
        AgentView v = view.get();
        return switch (v.phase()) {
            case PROVISIONED -> workers.markReady(workspace, v.preset()) ? Outcome.READY : again(workspace);
            case RUNNING -> Outcome.ALREADY_READY;
            default -> Outcome.CONFLICT;
        };
    }

    /** Lost a race (a timeout, a second call): answer from where it stands now. */
    private Outcome again(WorkspaceId workspace) {
        return checks.agentView(workspace)
                .map(v -> v.phase() == io.warmpool.application.port.out.WorkspacePort.Phase.RUNNING
                        ? Outcome.ALREADY_READY : Outcome.CONFLICT)
                .orElse(Outcome.CONFLICT);
    }
}
