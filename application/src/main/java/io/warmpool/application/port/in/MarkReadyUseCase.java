package io.warmpool.application.port.in;

import io.warmpool.domain.WorkspaceId;

/**
 * SPEC R10 agent readiness: a workspace's agent says the workspace is ready, with the workspace's own token (sent
 * to the provisioner with its create). The token is valid for this one workspace only; the API token is not.
 */
public interface MarkReadyUseCase {

    /** How a ready call ended. */
    enum Outcome {
        /** It was provisioned and is now ready (eligible when unexpired). */
        READY,
        /** It was ready already (or has been claimed since): nothing changed. */
        ALREADY_READY,
        /** No token, or a token that is no workspace's. */
        UNAUTHENTICATED,
        /** The token of another workspace. */
        FORBIDDEN,
        /** Its create has not finished yet, or it failed, is unhealthy, or is being or has been deleted. */
        CONFLICT
    }

    /**
     * @param bearer the presented token, or {@code null} when none was sent
     */
    Outcome markReady(WorkspaceId workspace, String bearer);
}
