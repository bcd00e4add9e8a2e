package io.warmpool.application.port.out.contract;

import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspacePort;
import java.util.Objects;

/**
 * The persistence ports of one store implementation, all over the same (empty, fresh) data: what a port contract
 * test runs against. The in-memory fake gives one object for all of them; the PostgreSQL adapters give one adapter
 * per group over one database.
 */
public record StorePorts(PresetStorePort presets, FailureStatePort failureStates, SettingsPort settings,
                         PresetSnapshotPort snapshots, BuildQueuePort queue, ClaimPort claims,
                         WorkspacePort workspaces, ReconciliationLockPort lock, NudgePort nudges,
                         ClaimWaitersPort waiters, WorkspaceChecksPort checks) {

    /** Without the checks port (for stores that predate it; its contract then cannot run). */
    public StorePorts(PresetStorePort presets, FailureStatePort failureStates, SettingsPort settings,
                      PresetSnapshotPort snapshots, BuildQueuePort queue, ClaimPort claims, WorkspacePort workspaces,
                      ReconciliationLockPort lock, NudgePort nudges, ClaimWaitersPort waiters) {
        this(presets, failureStates, settings, snapshots, queue, claims, workspaces, lock, nudges, waiters, null);
    }

    public StorePorts {
        Objects.requireNonNull(presets, "presets");
        Objects.requireNonNull(failureStates, "failureStates");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(workspaces, "workspaces");
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(nudges, "nudges");
        Objects.requireNonNull(waiters, "waiters");
    }

    /** Every port from one object that implements them all (the fake). */
    public static <S extends PresetStorePort & FailureStatePort & SettingsPort & PresetSnapshotPort & BuildQueuePort
            & ClaimPort & WorkspacePort & ReconciliationLockPort & NudgePort & ClaimWaitersPort & WorkspaceChecksPort>
            StorePorts allIn(S store) {
        return new StorePorts(store, store, store, store, store, store, store, store, store, store, store);
    }
}
