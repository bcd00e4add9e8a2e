package io.warmpool.adapters.db;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.DemandHistoryPort;
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
import java.time.Duration;

/**
 * The application's persistence ports on PostgreSQL, one adapter instance each per injector. Building them does no
 * I/O and needs no started database: they query once {@link PostgresDatabase#start()} has run (before that a query
 * fails).
 *
 * <p>Provides: {@link PresetStorePort}, {@link FailureStatePort} and {@link SettingsPort} (one adapter),
 * {@link PresetSnapshotPort}, {@link BuildQueuePort}, {@link ClaimPort} and {@link WorkspacePort} (one adapter),
 * {@link ReconciliationLockPort} (a session advisory lock), {@link NudgePort} (LISTEN/NOTIFY across replicas),
 * {@link PresetHistoryPort}, and the event log {@link JooqEventLogAdapter} (an event sink, read back with
 * {@link JooqEventLogAdapter#recent}) with its pruning, {@link EventRetentionPort}; {@link ClaimWaitersPort}
 * (waiting claims); {@link DemandHistoryPort} (claim arrivals for R13, read back by the snapshot).
 *
 * <p>Needs: a {@link PostgresDatabase} (bootstrap's embedded or external database module) and a {@link Clock}.
 */
public final class PostgresModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(PresetStorePort.class).to(JooqPresetStoreAdapter.class);
        bind(FailureStatePort.class).to(JooqPresetStoreAdapter.class);
        bind(SettingsPort.class).to(JooqPresetStoreAdapter.class);
        bind(PresetSnapshotPort.class).to(JooqSnapshotAdapter.class);
        bind(BuildQueuePort.class).to(JooqBuildQueueAdapter.class);
        bind(io.warmpool.application.port.out.WorkspaceChecksPort.class).to(JooqWorkspaceChecksAdapter.class);
        bind(ClaimPort.class).to(JooqWorkspaceAdapter.class);
        bind(WorkspacePort.class).to(JooqWorkspaceAdapter.class);
        bind(ReconciliationLockPort.class).to(PostgresReconciliationLock.class);
        bind(NudgePort.class).to(PostgresNudgeAdapter.class);
        bind(PresetHistoryPort.class).to(JooqPresetHistoryAdapter.class);
        bind(EventRetentionPort.class).to(JooqEventLogAdapter.class);
        bind(ClaimWaitersPort.class).to(PostgresClaimWaitersAdapter.class);
        bind(DemandHistoryPort.class).to(JooqDemandHistoryAdapter.class);
    }

    /** Waiting claims: the {@code claim_waiters} queue and their own LISTEN/NOTIFY channel (one listener per replica). */
    @Provides
    @Singleton
    PostgresClaimWaitersAdapter claimWaiters(PostgresDatabase database, PresetIds ids) {
        return new PostgresClaimWaitersAdapter(database.context(), ids, new PostgresNudgeAdapter(database,
                PostgresNudgeAdapter.READY_CHANNEL, Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    /** Preset ids by reference, shared by every adapter (one cache). */
    @Provides
    @Singleton
    PresetIds presetIds() {
        return new PresetIds();
    }

    @Provides
    @Singleton
    JooqPresetStoreAdapter presetStore(PostgresDatabase database, PresetIds ids, Clock clock) {
        return new JooqPresetStoreAdapter(database.context(), ids, clock);
    }

    @Provides
    @Singleton
    JooqSnapshotAdapter snapshots(PostgresDatabase database, PresetIds ids, Clock clock) {
        return new JooqSnapshotAdapter(database.context(), ids, clock);
    }

    @Provides
    @Singleton
    JooqDemandHistoryAdapter demand(PostgresDatabase database) {
        return new JooqDemandHistoryAdapter(database.context());
    }

    @Provides
    @Singleton
    JooqBuildQueueAdapter buildQueue(PostgresDatabase database, PresetIds ids) {
        return new JooqBuildQueueAdapter(database.context(), ids);
    }

    @Provides
    @Singleton
    JooqWorkspaceChecksAdapter checks(PostgresDatabase database, PresetIds ids) {
        return new JooqWorkspaceChecksAdapter(database.context(), ids);
    }

    @Provides
    @Singleton
    JooqWorkspaceAdapter workspaces(PostgresDatabase database, PresetIds ids) {
        return new JooqWorkspaceAdapter(database.context(), ids);
    }

    @Provides
    @Singleton
    PostgresReconciliationLock lock(PostgresDatabase database) {
        return new PostgresReconciliationLock(database);
    }

    @Provides
    @Singleton
    PostgresNudgeAdapter nudges(PostgresDatabase database) {
        return new PostgresNudgeAdapter(database);
    }

    @Provides
    @Singleton
    JooqEventLogAdapter events(PostgresDatabase database, PresetIds ids) {
        return new JooqEventLogAdapter(database.context(), ids);
    }

    @Provides
    @Singleton
    JooqPresetHistoryAdapter history(PostgresDatabase database, PresetIds ids) {
        return new JooqPresetHistoryAdapter(database.context(), ids);
    }
}
