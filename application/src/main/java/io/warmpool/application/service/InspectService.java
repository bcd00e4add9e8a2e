package io.warmpool.application.service;

import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.DryRun;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.Page;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspacePort.WorkspaceView;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Read-only views (A5): status, dry-run plan, one preset, workspaces and builds. Never writes. */
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
    public DryRun plan() {
        StatusReport status = status();
        return new DryRun(status.at(), status.paused(), status.presets().stream()
                .map(p -> new DryRun.PresetActions(p.id(), p.actions(), p.state().sizing())).toList(), status.failures());
    }

    @Override
    public PresetPlan preset(PresetRef ref) {
        Objects.requireNonNull(ref, "ref");
        Optional<PresetId> active = presets.resolve(ref);
        if (active.isEmpty()) {
            return inactive(ref);
        }
        PassPlanner.Planned planned = passPlanner.plan(snapshots.load(PresetSnapshotPort.Scope.of(Set.of(active.get()))),
                Clocks.now(clock));
        String failure = planned.failures().get(active.get());
        if (failure != null) {
            throw new IllegalStateException("preset " + active.get() + " could not be planned: " + failure);
        }
        return planned.plans().stream().filter(p -> p.id().equals(active.get())).findFirst()
                .orElseThrow(() -> new NotFoundException("preset " + ref + " does not exist"));
    }

    /**
     * A preset without an active version (its template was deprecated or removed): the store resolves active
     * versions only, so its versions are found in the full status — rare, and what the operator asked for.
     */
    private PresetPlan inactive(PresetRef ref) {
        List<PresetPlan> versions = status().presets().stream().filter(p -> p.id().ref().equals(ref)).toList();
        if (versions.size() == 1) {
            return versions.get(0);
        }
        throw new NotFoundException(versions.isEmpty()
                ? "preset " + ref + " does not exist"
                : "preset " + ref + " has no active version (versions " + versions.stream()
                        .map(p -> p.id().version()).toList() + "); GET /api/v1/presets lists each of them");
    }

    @Override
    public Page<Workspace> workspaces(PresetRef preset, String owner, String cursor, int limit) {
        if (limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIST + ", got " + limit);
        }
        WorkspacePort.ListKey after = cursor == null ? null : Cursors.workspace(cursor);
        PresetId id = preset == null ? null : presets.resolve(preset)
                .orElseThrow(() -> new NotFoundException("preset " + preset + " does not exist"));
        List<WorkspaceView> rows = workspaces.list(id, owner, after, limit + 1);
        List<Workspace> items = rows.stream().limit(limit).map(ReadModels::workspace).toList();
        String next = rows.size() <= limit ? null
                : Cursors.workspace(new WorkspacePort.ListKey(items.get(limit - 1).createdAt(), items.get(limit - 1).id()));
        return new Page<>(items, next);
    }

    @Override
    public Optional<io.warmpool.domain.definition.PresetDefinition> definition(PresetId preset) {
        Objects.requireNonNull(preset, "preset");
        return presets.stored(List.of(preset.template())).stream()
                .map(PresetStorePort.StoredVersion::definition)
                .filter(t -> t.version().equals(preset.version()))
                .flatMap(t -> t.presets().stream())
                .filter(p -> p.name().equals(preset.preset()))
                .findFirst();
    }

    @Override
    public Workspace workspace(WorkspaceId id) {
        return workspaces.find(id).map(ReadModels::workspace)
                .orElseThrow(() -> new NotFoundException("workspace " + id + " does not exist"));
    }

    @Override
    public List<Build> builds(WorkspaceId id) {
        workspace(id);
        return workspaces.builds(id).stream().map(ReadModels::build).toList();
    }

    @Override
    public Page<Build> builds(WorkspaceId id, String cursor, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", got " + limit);
        }
        long after = cursor == null ? 0 : Cursors.build(cursor);
        workspace(id);
        List<Build> rows = workspaces.builds(id, after, limit + 1).stream().map(ReadModels::build).toList();
        List<Build> items = rows.stream().limit(limit).toList();
        return new Page<>(items, rows.size() <= limit ? null : Cursors.build(items.get(limit - 1).id()));
    }
}
