package io.warmpool.application.port.out;

import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.util.Map;
import java.util.Objects;

/**
 * What a provisioner is asked to do. The fields mean, by transition:
 * <ul>
 *   <li>{@code create}: the new prebuild's name and owner (the prebuilds owner), the preset's parameters, no
 *       outputs;</li>
 *   <li>{@code delete} and {@code check}: the workspace's name and owner, the preset's parameters and the outputs its
 *       create produced;</li>
 *   <li>{@code claim} ({@link #claim}): the <em>new</em> name and owner, the <em>claim's</em> parameters (per user,
 *       not the preset's) and the outputs the create produced.</li>
 * </ul>
 *
 * @param outputs   what the workspace's create produced; empty for a create
 * @param attempt   1 the first time, higher when the same build is tried again
 * @param requestId identifies this build or request across every attempt of it (for a queued build: its build id,
 *                  {@code build-<id>}); sent to receivers as an idempotency key, so a request retried after a
 *                  timeout is recognised as the same one; 1–255 printable ASCII characters, no spaces
 * @param agentToken    a create only (R10 agent): the workspace's own token for the ready route, or {@code null};
 *                      a secret, never logged
 * @param agentReadyUrl a create only: the URL the workspace's agent calls when it is ready, or {@code null}
 */
public record ProvisionRequest(Transition transition, WorkspaceId workspace, String workspaceName, String owner,
                               PresetId preset, Map<String, String> parameters, Map<String, String> outputs,
                               int attempt, String requestId, String agentToken, String agentReadyUrl) {

    /** A request without agent readiness. */
    public ProvisionRequest(Transition transition, WorkspaceId workspace, String workspaceName, String owner,
                            PresetId preset, Map<String, String> parameters, Map<String, String> outputs,
                            int attempt, String requestId) {
        this(transition, workspace, workspaceName, owner, preset, parameters, outputs, attempt, requestId, null, null);
    }

    /** This request carrying the workspace's agent token and the ready URL its agent calls (R10 agent). */
    public ProvisionRequest withAgent(String token, String readyUrl) {
        return new ProvisionRequest(transition, workspace, workspaceName, owner, preset, parameters, outputs, attempt,
                requestId, Objects.requireNonNull(token, "token"), Objects.requireNonNull(readyUrl, "readyUrl"));
    }

    /** Never prints the agent token. */
    @Override
    public String toString() {
        return "ProvisionRequest[transition=" + transition + ", workspace=" + workspace + ", workspaceName="
                + workspaceName + ", owner=" + owner + ", preset=" + preset + ", attempt=" + attempt + ", requestId="
                + requestId + (agentToken == null ? "" : ", agentToken=***, agentReadyUrl=" + agentReadyUrl) + "]";
    }

    public ProvisionRequest {
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(preset, "preset");
        parameters = Map.copyOf(parameters);
        outputs = Map.copyOf(outputs);
        Objects.requireNonNull(requestId, "requestId");
        // It travels as an HTTP header value and in logs: keep it to printable ASCII without spaces.
        if (requestId.isEmpty() || requestId.length() > 255 || !requestId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("requestId must be 1 to 255 printable ASCII characters without spaces");
        }
    }

    /**
     * A request whose id is derived from its transition and workspace ({@code <transition>-<workspace id>}): stable,
     * and unique for a workspace's one create and one delete. Requests that can repeat (checks, claims) should
     * carry an id of their own.
     */
    public ProvisionRequest(Transition transition, WorkspaceId workspace, String workspaceName, String owner,
                            PresetId preset, Map<String, String> parameters, Map<String, String> outputs, int attempt) {
        this(transition, workspace, workspaceName, owner, preset, parameters, outputs, attempt,
                Objects.requireNonNull(transition, "transition").wire() + "-"
                        + Objects.requireNonNull(workspace, "workspace").text());
    }

    /** The request for a taken job; its id is the build's ({@code build-<id>}), the same on every attempt. */
    public static ProvisionRequest of(Job job) {
        return new ProvisionRequest(job.transition(), job.workspace(), job.workspaceName(), job.owner(), job.preset(),
                job.parameters(), job.outputs(), job.attempt(), "build-" + job.id());
    }

    /**
     * A claim handoff (R12).
     *
     * @param requestId       the claim's own id (the same when the same claim is retried)
     * @param newName         the name the workspace gets
     * @param newOwner        who it is handed to
     * @param claimParameters the claim's {@code parameters}
     * @param createOutputs   what the workspace's create produced
     */
    public static ProvisionRequest claim(String requestId, WorkspaceId workspace, PresetId preset, String newName,
                                         String newOwner, Map<String, String> claimParameters,
                                         Map<String, String> createOutputs) {
        Objects.requireNonNull(newName, "newName");
        Objects.requireNonNull(newOwner, "newOwner");
        return new ProvisionRequest(Transition.CLAIM, workspace, newName, newOwner, preset, claimParameters,
                createOutputs, 1, requestId);
    }

    /**
     * A readiness or liveness check (R10, R11) of an existing workspace.
     *
     * @param requestId this check's own id (a check job's build id, or any id unique per check)
     */
    public static ProvisionRequest check(String requestId, WorkspaceId workspace, String workspaceName, String owner,
                                         PresetId preset, Map<String, String> parameters,
                                         Map<String, String> createOutputs) {
        return new ProvisionRequest(Transition.CHECK, workspace, workspaceName, owner, preset, parameters,
                createOutputs, 1, requestId);
    }
}
