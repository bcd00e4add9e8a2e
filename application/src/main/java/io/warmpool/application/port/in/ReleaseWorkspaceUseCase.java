package io.warmpool.application.port.in;

import io.warmpool.domain.WorkspaceId;

/** A5 — release (delete) a claimed workspace. */
public interface ReleaseWorkspaceUseCase {

    /**
     * Enqueues the deletion of a claimed workspace. Idempotent: a workspace already released (deleting or deleted)
     * is left as it is and the call succeeds again, enqueueing nothing.
     *
     * @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace
     * @throws io.warmpool.application.port.out.ConflictException when it is an unclaimed prebuild (whatever its phase),
     *                                                            or a build of it is in progress
     */
    void release(WorkspaceId workspace);
}
