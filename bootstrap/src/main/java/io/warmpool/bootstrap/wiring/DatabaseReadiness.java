package io.warmpool.bootstrap.wiring;

import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.adapters.http.ReadinessCheck;
import java.util.Objects;

/**
 * {@code /readyz} and {@code /healthz} for a service on PostgreSQL: ready when the database is reachable (its
 * migrations were applied at start); not live only when an embedded server has failed for good. Bound by the
 * database modules, which know what "ready" takes, so the API module needs no database.
 */
final class DatabaseReadiness implements ReadinessCheck {

    private final PostgresDatabase database;

    DatabaseReadiness(PostgresDatabase database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    @Override
    public Result check() {
        // A restarting embedded server is known down: answer at once instead of waiting for a connection.
        var embedded = database.embeddedHealth();
        if (embedded.isPresent() && !embedded.get().up()) {
            return Result.notReady(embedded.get().detail());
        }
        return database.isReachable()
                ? Result.ready("database reachable, migrations applied")
                : Result.notReady("database unreachable");
    }

    @Override
    public Result live() {
        var embedded = database.embeddedHealth();
        return embedded.isPresent() && embedded.get().state() == EmbeddedPostgresServer.State.FAILED
                ? Result.notReady(embedded.get().detail())
                : Result.ready("ok");
    }
}
