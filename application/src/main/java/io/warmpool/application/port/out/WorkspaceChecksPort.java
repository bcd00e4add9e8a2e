package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Readiness (SPEC R10) and liveness (R11) of prebuilds, on the workspaces themselves: a check is a lease on the
 * workspace ({@code next check at}), never a row of the build queue, so checks do not flood build history.
 *
 * <p>Every method is its own transaction, writes only the {@code now} it is given (millisecond precision), and is
 * safe to call from several replicas at once. Every change is guarded by the phase the workspace was checked in and
 * by its owner still being the prebuilds owner: a result that lost a race with a claim, a delete or another check
 * changes nothing (the methods then answer {@code false} or empty).
 */
public interface WorkspaceChecksPort {

    /** What a due check is about. */
    enum Kind {
        /** A provisioned prebuild of a preset with {@code readiness: {check: provisioner}}: is it ready yet? */
        READINESS,
        /** A ready, unclaimed prebuild of a preset with {@code health}: is it still alive? */
        LIVENESS
    }

    /**
     * A check a worker has taken.
     *
     * @param unhealthyAnswers consecutive non-ready liveness answers so far
     * @param unhealthyAfter   the preset's {@code unhealthy_after} (0 for a readiness check)
     * @param healthInterval   the preset's liveness interval, or {@code null} when it has none
     */
    record DueCheck(Kind kind, WorkspaceId workspace, String name, PresetId preset, Map<String, String> parameters,
                    Map<String, String> outputs, int unhealthyAnswers, int unhealthyAfter, Duration healthInterval) {
        public DueCheck {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(preset, "preset");
            parameters = Map.copyOf(parameters);
            outputs = Map.copyOf(outputs);
        }
    }

    /**
     * Takes the check due longest ago ({@code next check at ≤ now}) of a provisioned prebuild whose preset checks
     * readiness through the provisioner, or of a ready prebuild whose preset has health — with {@code FOR UPDATE
     * SKIP LOCKED} semantics — and moves its next check to {@code now + lease}, so no other worker takes it while it
     * runs; a worker that dies leaves it to be taken again after the lease.
     */
    Optional<DueCheck> takeDueCheck(Instant now, Duration lease);

    /**
     * The workspace became ready (R10): {@code provisioned → running}, ready at {@code now}, its first liveness
     * check one health interval later when its preset has one; and, in the same transaction, the R3 success
     * ({@code failureChange}, applied as {@link BuildQueuePort#complete} applies it).
     *
     * @return the failure transition, or empty when the workspace is not a provisioned prebuild (any more)
     */
    Optional<FailureTransition> markReady(WorkspaceId workspace, Instant now,
                                          Function<FailureState, FailureTransition> failureChange);

    /**
     * The workspace's readiness failed (R10: the check answered {@code failed}): {@code provisioned → failed} at
     * {@code now} (cleaned up as a failed prebuild, R8), and the failure change in the same transaction.
     *
     * @return the failure transition, or empty when the workspace is not a provisioned prebuild (any more)
     */
    Optional<FailureTransition> failReadiness(WorkspaceId workspace, Instant now,
                                              Function<FailureState, FailureTransition> failureChange);

    /** A provisioned prebuild failed because its readiness deadline passed (R10), with its preset's new state. */
    record TimedOut(WorkspaceId workspace, PresetId preset, FailureTransition transition) {
    }

    /**
     * Fails every provisioned prebuild whose readiness deadline is at or before {@code now} (R10), as
     * {@link #failReadiness}; each counts as one failed create, applied one after the other to its preset's state.
     * Rows another caller is failing right now are skipped.
     */
    List<TimedOut> failOverdue(Instant now, Function<FailureState, FailureTransition> failureChange);

    /**
     * Moves the next check of a prebuild still in the phase of {@code kind} (provisioned for readiness, running for
     * liveness) and still owned by the prebuilds owner to {@code nextCheckAt}; sets its consecutive unhealthy answers
     * to {@code unhealthyAnswers} (liveness; ignored for readiness).
     *
     * @return false when it is not in that phase or not a prebuild any more
     */
    boolean reschedule(Kind kind, WorkspaceId workspace, int unhealthyAnswers, Instant nextCheckAt);

    /**
     * A ready, unclaimed prebuild was found unhealthy or gone (R11): {@code running → unhealthy}; never eligible
     * from then on (claims take running prebuilds only), deleted by the next pass with the reason UNHEALTHY.
     *
     * @return false when it is not a ready prebuild any more (claimed, deleting, …)
     */
    boolean markUnhealthy(WorkspaceId workspace, Instant now);

    /**
     * Stores the SHA-256 (lower-case hex) of the workspace's agent token (R10 agent), replacing an earlier one.
     *
     * @return false when the workspace does not exist
     */
    boolean storeAgentToken(WorkspaceId workspace, String sha256Hex);

    /** What the agent ready route needs to know of a workspace. */
    record AgentView(WorkspaceId workspace, PresetId preset, WorkspacePort.Phase phase, boolean prebuild,
                     String agentTokenSha256) {
    }

    /** The workspace's phase, owner kind and agent token hash, when it exists. */
    Optional<AgentView> agentView(WorkspaceId workspace);

    /** The workspace whose agent token has this SHA-256 (lower-case hex), if any. */
    Optional<WorkspaceId> agentTokenOwner(String sha256Hex);
}
