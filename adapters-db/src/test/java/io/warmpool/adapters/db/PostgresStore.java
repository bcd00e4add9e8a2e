package io.warmpool.adapters.db;

import io.warmpool.application.port.out.contract.PortSeed;
import io.warmpool.application.port.out.contract.StorePorts;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL side of the port contract suite: a fresh migrated database per test class
 * ({@link TestDatabase#newDatabase()}), emptied for each test, and the jOOQ adapters over it as {@link StorePorts}.
 * Register it as a static {@code @RegisterExtension} field of a {@code Postgres*ContractTest}.
 */
final class PostgresStore implements BeforeAllCallback, AfterAllCallback {

    private PostgresDatabase db;

    @Override
    public void beforeAll(ExtensionContext context) {
        db = TestDatabase.newDatabase();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        db.close();
    }

    /** The database itself, for tests that need a connection of their own. */
    PostgresDatabase db() {
        return db;
    }

    /** The database emptied, and one replica's adapters over it. */
    StorePorts emptied() {
        TestDatabase.truncateAll(db);
        return replica();
    }

    /**
     * One replica's adapters over the database, with their own preset identity cache (as another process would
     * have); the preset store's clock (for the rows' own timestamps) is fixed at {@link PortSeed#T0}.
     */
    StorePorts replica() {
        PresetIds presetIds = new PresetIds();
        JooqPresetStoreAdapter presets = new JooqPresetStoreAdapter(db.dsl(), presetIds, Clock.fixed(PortSeed.T0, ZoneOffset.UTC));
        JooqWorkspaceAdapter workspaces = new JooqWorkspaceAdapter(db.dsl(), presetIds);
        return new StorePorts(presets, presets, presets, new JooqSnapshotAdapter(db.dsl(), presetIds, Clock.fixed(PortSeed.T0, ZoneOffset.UTC)),
                new JooqBuildQueueAdapter(db.dsl(), presetIds), workspaces, workspaces, new PostgresReconciliationLock(db),
                // Short poll and reconnect delays, as in the database-only nudge tests.
                new PostgresNudgeAdapter(db, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofMillis(200)),
                new PostgresClaimWaitersAdapter(db.dsl(), presetIds, new PostgresNudgeAdapter(db,
                        PostgresNudgeAdapter.READY_CHANNEL, Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofMillis(200))),
                new JooqWorkspaceChecksAdapter(db.dsl(), presetIds));
    }

    /** The event log (sink and retention) over the same database, with its own preset identity cache. */
    JooqEventLogAdapter eventLog() {
        return new JooqEventLogAdapter(db.dsl(), new PresetIds());
    }
}
