package io.warmpool.application.port.in;

import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.PresetPlan;
import java.util.List;

/** A5 — read-only views: status of every preset, the dry-run plan, one preset, workspaces and builds. */
public interface InspectUseCase {

    /** Every preset's state (R1), failure state and plan at this instant; changes nothing. */
    StatusReport status();

    /**
     * The dry run: what the next pass would do and why (R2 with the pending-jobs cap), without doing it. The
     * actions of {@link #status()}, without the state behind them.
     */
    DryRun plan();

    /**
     * One preset's state and plan: its active version's, or, when none is active, the only version there is.
     * Planned on its own, as a pass nudged for it would plan it: the pending-jobs cap counts every preset's queued
     * creates but grants this preset first, so where the cap binds its plan can differ from its line in
     * {@link #status()}.
     *
     * @throws io.warmpool.application.port.out.NotFoundException when the preset does not exist, or has several
     *                                                            versions and none is active
     * @throws IllegalStateException                              when the preset could not be planned
     */
    PresetPlan preset(PresetRef ref);

    /**
     * Workspaces, newest first.
     *
     * @param preset only this preset's (its active version), or all when {@code null}
     * @param owner  only this owner's, or all when {@code null}
     */
    List<Workspace> workspaces(PresetRef preset, String owner, int limit);

    /** @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    Workspace workspace(WorkspaceId id);

    /** The workspace's builds, oldest first. @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    List<Build> builds(WorkspaceId id);
}
