package io.warmpool.application.service;

import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.BuildView;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Read-only views (A5): status, dry-run plan, workspaces and builds. Never writes. */
public final class InspectService implements InspectUseCase {

    public static final int MAX_LIST = 1000;

    private final Clock clock;
    private final PresetSnapshotPort snapshots;
    private final SettingsPort settings;
    private final PresetStorePort presets;
    private final WorkspacePort workspaces;
    private final PassPlanner passPlanner;

    public InspectService(Clock clock, PresetSnapshotPort snapshots, SettingsPort settings, PresetStorePort presets,
                          WorkspacePort workspaces, ReconcileSettings reconcileSettings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.presets = Objects.requireNonNull(presets, "presets");
        this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
        this.passPlanner = new PassPlanner(reconcileSettings);
    }

    @Override
    public StatusReport status() {
        Instant now = Clocks.now(clock);
        boolean paused = settings.isPaused();
        PresetSnapshotPort.Snapshot snapshot = snapshots.load(PresetSnapshotPort.Scope.ALL);
        PassPlanner.Planned planned = passPlanner.plan(snapshot, now);
        return new StatusReport(now, paused, planned.plans(), snapshot.queuedCreates(), planned.failures());
    }

    @Override
    public StatusReport plan() {
        return status();
    }

    @Override
    public List<WorkspaceView> workspaces(PresetRef preset, String owner, int limit) {
        if (limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIST + ", got " + limit);
        }
        PresetId id = preset == null ? null : presets.resolve(preset)
                .orElseThrow(() -> new NotFoundException("preset " + preset + " does not exist"));
        return workspaces.list(id, owner, limit);
    }

    @Override
    public WorkspaceView workspace(WorkspaceId id) {
        return workspaces.find(id).orElseThrow(() -> new NotFoundException("workspace " + id + " does not exist"));
    }

    @Override
    public List<BuildView> builds(WorkspaceId id) {
        workspace(id);
        return workspaces.builds(id);
    }
}
