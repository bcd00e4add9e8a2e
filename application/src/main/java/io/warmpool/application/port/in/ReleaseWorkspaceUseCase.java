package io.warmpool.application.port.in;

import io.warmpool.domain.WorkspaceId;

/** A5 — release (delete) a claimed workspace. */
public interface ReleaseWorkspaceUseCase {

    /**
     * Enqueues the deletion of a claimed workspace.
     *
     * @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace
     * @throws io.warmpool.application.port.out.ConflictException when it is an unclaimed prebuild, or already deleting or deleted
     */
    void release(WorkspaceId workspace);
}
