package io.warmpool.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.http.ReadinessCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Provides a {@link PostgresDatabase} on an external PostgreSQL ≥ 14 given by JDBC URL, and the API's {@link ReadinessCheck} on it. */
public final class ExternalDatabaseModule extends AbstractModule {

    private final String url;
    private final String user;
    private final String password;
    private final int poolSize;

    public ExternalDatabaseModule(String url, String user, String password, int poolSize) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
    }

    @Override
    protected void configure() {
        // What else /readyz needs: nothing here; ServiceModule adds this replica's loop, workers and the last pass.
        Multibinder.newSetBinder(binder(), ReadinessCheck.class, ReadinessParts.class);
    }

    @Provides
    @Singleton
    PostgresDatabase database() {
        return PostgresDatabase.external(url, user, password, poolSize);
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
