package io.warmpool.adapters.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.FailureStatePort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.PresetSnapshotPort;
import io.warmpool.application.port.out.PresetSnapshotPort.Scope;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.SettingsPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.port.out.WorkspacePort;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The adapters are built before the database starts (the service builds its graph first) and work once it has. */
class PostgresModuleTest {

    private static final Instant NOW = Instant.parse("2025-03-03T09:00:00Z");

    @Test
    void givenADatabaseNotStarted_everyPortIsBuilt_queriesFailUntilItStarts_thenWork() {
        try (PostgresDatabase db = TestDatabase.newDatabaseNotStarted()) {
            Injector injector = Guice.createInjector(Stage.DEVELOPMENT, new PostgresModule(), binder -> {
                binder.bind(PostgresDatabase.class).toInstance(db);
                binder.bind(Clock.class).toInstance(Clock.fixed(NOW, ZoneOffset.UTC));
            });
            for (Class<?> port : new Class<?>[]{PresetStorePort.class, FailureStatePort.class, SettingsPort.class,
                    PresetSnapshotPort.class, BuildQueuePort.class, ClaimPort.class, WorkspacePort.class,
                    ReconciliationLockPort.class, NudgePort.class, PresetHistoryPort.class, EventRetentionPort.class,
                    JooqEventLogAdapter.class}) {
                assertThat(injector.getInstance(port)).as(port.getSimpleName()).isNotNull();
            }
            PresetSnapshotPort snapshots = injector.getInstance(PresetSnapshotPort.class);
            assertThatThrownBy(() -> snapshots.load(Scope.ALL))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("database not started");

            db.start();

            assertThat(snapshots.load(Scope.ALL).presets()).isEmpty();
            // one adapter instance behind the ports it implements
            assertThat(injector.getInstance(PresetStorePort.class)).isSameAs(injector.getInstance(SettingsPort.class));
            assertThat(injector.getInstance(ClaimPort.class)).isSameAs(injector.getInstance(WorkspacePort.class));
        }
    }
}
