package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.db.JooqEventLogAdapter;
import io.warmpool.adapters.db.PostgresAdapters;
import io.warmpool.adapters.db.PostgresDatabase;
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

/**
 * The persistence ports on PostgreSQL (adapters-db). Provides every persistence port, the event log and its
 * pruning ({@link EventRetentionPort}).
 * Needs a {@link PostgresDatabase} that has been started before any port is first used.
 */
public final class PostgresPortsModule extends AbstractModule {

    @Provides
    @Singleton
    PostgresAdapters adapters(PostgresDatabase database, Clock clock) {
        return new PostgresAdapters(database, clock);
    }

    @Provides
    PresetSnapshotPort snapshots(PostgresAdapters a) {
        return a.snapshots();
    }

    @Provides
    PresetStorePort presets(PostgresAdapters a) {
        return a.presetStore();
    }

    @Provides
    FailureStatePort failures(PostgresAdapters a) {
        return a.failureStates();
    }

    @Provides
    SettingsPort settings(PostgresAdapters a) {
        return a.settings();
    }

    @Provides
    ReconciliationLockPort lock(PostgresAdapters a) {
        return a.lock();
    }

    @Provides
    NudgePort nudges(PostgresAdapters a) {
        return a.nudges();
    }

    @Provides
    JooqEventLogAdapter eventLog(PostgresAdapters a) {
        return a.events();
    }

    @Provides
    EventRetentionPort eventRetention(PostgresAdapters a) {
        return a.eventRetention();
    }

    @Provides
    BuildQueuePort queue(PostgresAdapters a) {
        return a.buildQueue();
    }

    @Provides
    ClaimPort claims(PostgresAdapters a) {
        return a.claims();
    }

    @Provides
    WorkspacePort workspaces(PostgresAdapters a) {
        return a.workspaces();
    }

    @Provides
    PresetHistoryPort history(PostgresAdapters a) {
        return a.history();
    }
}
