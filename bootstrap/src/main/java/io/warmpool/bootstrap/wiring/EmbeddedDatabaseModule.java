package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.warmpool.adapters.db.PostgresDatabase;
import java.nio.file.Path;

/** Provides a {@link PostgresDatabase} that is an embedded PostgreSQL 17 with its data under the state directory. */
public final class EmbeddedDatabaseModule extends AbstractModule {

    private final Path stateDir;
    private final int poolSize;

    public EmbeddedDatabaseModule(Path stateDir, int poolSize) {
        this.stateDir = stateDir;
        this.poolSize = poolSize;
    }

    @Provides
    @Singleton
    PostgresDatabase database() {
        return PostgresDatabase.embedded(stateDir, poolSize);
    }
}
