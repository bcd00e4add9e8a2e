package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.adapters.http.ReadinessCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Provides a {@link PostgresDatabase} that is an embedded PostgreSQL 17 with its data under the state directory:
 * durable (fsync on), password logins only, supervised ({@link EmbeddedPostgresServer}); and the API's
 * {@link ReadinessCheck} on it (not live once the embedded server has failed for good).
 */
public final class EmbeddedDatabaseModule extends AbstractModule {

    private final Path stateDir;
    private final int poolSize;
    private final EmbeddedPostgresServer.Options options;

    public EmbeddedDatabaseModule(Path stateDir, int poolSize, EmbeddedPostgresServer.Options options) {
        this.stateDir = stateDir;
        this.poolSize = poolSize;
        this.options = options;
    }

    @Override
    protected void configure() {
        // What else /readyz needs: nothing here; ServiceModule adds this replica's loop, workers and the last pass.
        Multibinder.newSetBinder(binder(), ReadinessCheck.class, ReadinessParts.class);
    }

    @Provides
    @Singleton
    PostgresDatabase database() {
        return PostgresDatabase.embedded(stateDir, poolSize, options);
    }

    @Provides
    @Singleton
    ReadinessCheck readiness(PostgresDatabase database, @ReadinessParts Set<ReadinessCheck> more) {
        List<ReadinessCheck> parts = new ArrayList<>();
        parts.add(new DatabaseReadiness(database));
        parts.addAll(more);
        return new AllReadiness(parts);
    }
}
