package io.warmpool.application.port.in;

import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.util.List;

/** A5 — read-only views: status of every preset, the dry-run plan, workspaces and builds. */
public interface InspectUseCase {

    /** Every preset's state (R1), failure state and plan at this instant; changes nothing. */
    StatusReport status();

    /**
     * What the next pass would do and why (R2 with the pending-jobs cap), without doing it.
     * The same as {@link #status()}: the report carries each preset's plan.
     */
    StatusReport plan();

    /**
     * Workspaces, newest first.
     *
     * @param preset only this preset's (its active version), or all when {@code null}
     * @param owner  only this owner's, or all when {@code null}
     */
    List<WorkspaceView> workspaces(PresetRef preset, String owner, int limit);

    /** @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    WorkspaceView workspace(WorkspaceId id);

    /** @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    List<BuildView> builds(WorkspaceId id);
}
