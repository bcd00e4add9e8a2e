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
     * The applied definition of a stored preset version (its parameters and prebuild policy), or empty when there
     * is no such version or preset.
     */
    java.util.Optional<io.warmpool.domain.definition.PresetDefinition> definition(io.warmpool.domain.PresetId preset);

    /**
     * Workspaces, newest first.
     *
     * @param preset only this preset's (its active version), or all when {@code null}
     * @param owner  only this owner's, or all when {@code null}
     */
    default List<Workspace> workspaces(PresetRef preset, String owner, int limit) {
        return workspaces(preset, owner, null, limit).items();
    }

    /**
     * One page of workspaces, newest first (by creation, then id: a stable order).
     *
     * @param preset only this preset's (its active version), or all when {@code null}
     * @param owner  only this owner's, or all when {@code null}
     * @param cursor the {@code next} of the previous page, or {@code null} for the first
     * @param limit  1…{@value #MAX_PAGE}
     * @throws IllegalArgumentException when the cursor is not one this list gave, or the limit is out of range
     */
    Page<Workspace> workspaces(PresetRef preset, String owner, String cursor, int limit);

    /** The largest page of {@link #workspaces} and {@link #builds(WorkspaceId, String, int)}. */
    int MAX_PAGE = 1000;

    /** @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    Workspace workspace(WorkspaceId id);

    /** The workspace's builds, oldest first. @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace */
    List<Build> builds(WorkspaceId id);

    /**
     * One page of the workspace's builds, oldest first.
     *
     * @param cursor the {@code next} of the previous page, or {@code null} for the first
     * @param limit  1…{@value #MAX_PAGE}
     * @throws io.warmpool.application.port.out.NotFoundException when there is no such workspace
     * @throws IllegalArgumentException when the cursor is not one this list gave, or the limit is out of range
     */
    Page<Build> builds(WorkspaceId id, String cursor, int limit);
}
