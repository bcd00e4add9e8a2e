package io.warmpool.adapters.db;

import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.WorkspacePort;
import java.time.Clock;
import java.util.Objects;

/**
 * The PostgreSQL implementations of the application's persistence ports, over one started
 * {@link PostgresDatabase}. Creating it does no I/O.
 */
public final class PostgresAdapters {

    private final JooqPresetStoreAdapter presetStore;
    private final JooqSnapshotAdapter snapshots;
    private final JooqBuildQueueAdapter buildQueue;
    private final JooqWorkspaceAdapter workspaces;
    private final PostgresReconciliationLock lock;
    private final PostgresNudgeAdapter nudges;
    private final JooqEventLogAdapter events;
    private final JooqPresetHistoryAdapter history;

    public PostgresAdapters(PostgresDatabase database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        PresetIds presetIds = new PresetIds();
        this.presetStore = new JooqPresetStoreAdapter(database.dsl(), presetIds, clock);
        this.snapshots = new JooqSnapshotAdapter(database.dsl(), presetIds);
        this.buildQueue = new JooqBuildQueueAdapter(database.dsl(), presetIds);
        this.workspaces = new JooqWorkspaceAdapter(database.dsl(), presetIds);
        this.lock = new PostgresReconciliationLock(database);
        this.nudges = new PostgresNudgeAdapter(database);
        this.events = new JooqEventLogAdapter(database.dsl(), presetIds);
        this.history = new JooqPresetHistoryAdapter(database.dsl(), presetIds);
    }

    public PresetStorePort presetStore() {
        return presetStore;
    }

    public FailureStatePort failureStates() {
        return presetStore;
    }

    public SettingsPort settings() {
        return presetStore;
    }

    public PresetSnapshotPort snapshots() {
        return snapshots;
    }

    public BuildQueuePort buildQueue() {
        return buildQueue;
    }

    public ClaimPort claims() {
        return workspaces;
    }

    public WorkspacePort workspaces() {
        return workspaces;
    }

    /** The cluster-wide reconciliation lock (a session advisory lock). */
    public ReconciliationLockPort lock() {
        return lock;
    }

    /** Nudges across replicas over LISTEN/NOTIFY. */
    public NudgePort nudges() {
        return nudges;
    }

    /** The event log: the event sink, and {@link JooqEventLogAdapter#recent} for reading it back. */
    public JooqEventLogAdapter events() {
        return events;
    }

    /** Pruning the event log, in bounded batches. */
    public EventRetentionPort eventRetention() {
        return events;
    }

    /** Passes, pool samples, claim counts and recent builds, for operators. */
    public PresetHistoryPort history() {
        return history;
    }
}
