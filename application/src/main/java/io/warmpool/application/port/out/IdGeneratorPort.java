package io.warmpool.application.port.out;

import io.warmpool.domain.WorkspaceId;

/** New workspace ids: random in the service, seeded in the simulator and tests. Thread-safe. */
public interface IdGeneratorPort {

    WorkspaceId newWorkspaceId();
}
