package io.warmpool.adapters.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.ConnectionProvider;
import org.jooq.exception.DataAccessException;

/**
 * jOOQ's connections from the pool, handed out first come, first served. HikariCP's hand-off is not FIFO: a
 * thread that returns a connection and borrows again at once often gets it back ahead of threads already waiting,
 * so under more concurrent callers than connections (32 claims on 16 connections) a few callers wait for many
 * turns — a long latency tail (claims p99 4× pgbench's on the same server). A fair semaphore with as many permits
 * as the pool has connections queues the callers in arrival order instead; HikariCP still owns the connections.
 */
final class FairConnectionProvider implements ConnectionProvider {

    private final DataSource pool;
    private final Semaphore turns;
    private final long timeoutMillis;
    private final Supplier<String> knownDown;

    /**
     * @param knownDown why the database is known to be down now (the embedded server is restarting), or
     *                  {@code null} when it may be up: then callers fail at once instead of each waiting
     *                  {@code timeoutMillis} for a connection that cannot come
     */
    FairConnectionProvider(DataSource pool, int connections, long timeoutMillis, Supplier<String> knownDown) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.turns = new Semaphore(connections, true);
        this.timeoutMillis = timeoutMillis;
        this.knownDown = Objects.requireNonNull(knownDown, "knownDown");
    }

    @Override
    public Connection acquire() {
        String down = knownDown.get();
        if (down != null) {
            throw new DataAccessException(down);
        }
        try {
            if (!turns.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new DataAccessException("no database connection free after " + timeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessException("interrupted while waiting for a database connection", e);
        }
        try {
            return pool.getConnection();
        } catch (SQLException | RuntimeException e) {
            turns.release();
            throw new DataAccessException("could not get a database connection: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new DataAccessException("could not return a database connection: " + e.getMessage(), e);
        } finally {
            turns.release();
        }
    }
}
