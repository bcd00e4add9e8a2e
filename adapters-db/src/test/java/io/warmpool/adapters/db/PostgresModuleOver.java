package io.warmpool.adapters.db;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import java.time.Clock;

/** The adapters as the service gets them: {@link PostgresModule} over a database the test has started. */
final class PostgresModuleOver {

    private PostgresModuleOver() {
    }

    static Injector started(PostgresDatabase database, Clock clock) {
        return Guice.createInjector(Stage.DEVELOPMENT, new PostgresModule(), binder -> {
            binder.bind(PostgresDatabase.class).toInstance(database);
            binder.bind(Clock.class).toInstance(clock);
        });
    }
}
