package io.warmpool.adapters.db;

import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide reconciliation lock as a PostgreSQL <em>session-level</em> advisory lock
 * ({@code pg_try_advisory_lock}), held on a dedicated connection outside the pool for the whole pass.
 *
 * <p>Why a session lock on its own connection: a transaction-scoped lock would force the whole pass into one
 * transaction, and a pooled connection could be handed to other work while still holding the lock. With a
 * dedicated session, PostgreSQL releases the lock by itself when the session ends — a replica killed mid-pass,
 * or a network failure, never keeps it (SPEC §7).
 *
 * <p>A new holder first waits for earlier writers (bounded): a replica killed while its pass commits loses the
 * lock at once, since its lock session is idle and ends with the client, but that commit may still be in flight
 * on another session (a slow disk, a synchronous standby). Had the next pass read its snapshot before that
 * commit became visible, it would enqueue the same creates again. So {@link #tryAcquire()} returns only once
 * every write transaction of this database that was in progress when the lock was taken has ended (committed
 * and visible, or rolled back), or after {@link #DEFAULT_FENCE_TIMEOUT} (then with a warning: a transaction
 * that long is not a pass's, and reconciliation must not stop behind it).
 *
 * <p>Every replica must use the same key; the default differs from every other advisory key warmpool uses.
 * Thread-safe; each {@link #tryAcquire()} opens its own connection.
 */
final class PostgresReconciliationLock implements ReconciliationLockPort {

    /** The advisory lock key of the reconciliation lock ("warm" in the high half, 2 in the low half). */
    public static final long DEFAULT_KEY = 0x7761726d_00000002L;

    /** How long a new holder waits at most for the write transactions that were in flight when it took the lock. */
    public static final Duration DEFAULT_FENCE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(PostgresReconciliationLock.class);

    /**
     * Client sessions of this database other than this one in a transaction that has written (it has an id);
     * not autovacuum, whose ANALYZE writes statistics for as long as a big table takes. Read from
     * {@code pg_stat_get_activity}, the function behind {@code pg_stat_activity}: the view costs a few
     * milliseconds more on a fresh session, which each pass opens.
     */
    private static final String WRITERS = "from pg_stat_get_activity(null) a "
            + "where a.datid = (select oid from pg_database where datname = current_database()) "
            + "and a.backend_type = 'client backend' and a.backend_xid is not null and a.pid <> pg_backend_pid()";

    private static final String WRITERS_NOW = "exists (select " + WRITERS + ")";

    /**
     * Waits, in the lock's session, for the write transactions of this database in progress now. A backend keeps
     * its {@code backend_xid} until its transaction is visible to others, also while it waits for a synchronous
     * standby, so this waits for visibility, not only for the commit record. The activity data is cached per
     * transaction: cleared before each look. Raises a warning (and ends) at the deadline. Reads only: the
     * statement gets no transaction id of its own.
     */
    private static final String AWAIT_EARLIER_WRITERS = """
            do $fence$
            declare
              earlier xid[];
              deadline timestamptz := clock_timestamp() + interval 'TIMEOUT_MS milliseconds';
            begin
              select array_agg(a.backend_xid) into earlier WRITERS;
              while earlier is not null loop
                perform pg_stat_clear_snapshot();
                exit when not exists (select WRITERS and a.backend_xid = any (earlier));
                if clock_timestamp() >= deadline then
                  raise warning 'write transactions begun before the reconciliation lock was taken are still in progress';
                  exit;
                end if;
                perform pg_sleep(0.005);
              end loop;
            end
            $fence$""".replace("WRITERS", WRITERS);

    private final PostgresDatabase database;
    private final long key;
    private final String awaitEarlierWriters;

    /** A lock on {@link #DEFAULT_KEY}. Does no I/O. */
    public PostgresReconciliationLock(PostgresDatabase database) {
        this(database, DEFAULT_KEY);
    }

    /** A lock on {@code key} (tests, or several warmpool installations sharing one database). Does no I/O. */
    public PostgresReconciliationLock(PostgresDatabase database, long key) {
        this(database, key, DEFAULT_FENCE_TIMEOUT);
    }

    /**
     * A lock on {@code key} whose new holder waits at most {@code fenceTimeout} for earlier writers. Does no I/O.
     */
    public PostgresReconciliationLock(PostgresDatabase database, long key, Duration fenceTimeout) {
        this.database = Objects.requireNonNull(database, "database");
        this.key = key;
        if (fenceTimeout.isNegative()) {
            throw new IllegalArgumentException("the fence timeout must not be negative");
        }
        this.awaitEarlierWriters = AWAIT_EARLIER_WRITERS.replace("TIMEOUT_MS", Long.toString(fenceTimeout.toMillis()));
    }

    /**
     * Opens a dedicated connection and tries the advisory lock on it without waiting; once it is held, waits
     * (bounded) for the write transactions in flight at that moment to end (see the class comment).
     *
     * @return the held lock, whose {@code close()} unlocks and closes the connection; empty when another session
     *         (another replica, or another pass of this one) holds it
     * @throws StoreUnavailableException when the database cannot be reached; no lock is held then
     */
    @Override
    public Optional<HeldLock> tryAcquire() {
        Connection connection;
        try {
            connection = database.openDedicatedConnection();
        } catch (SQLException | RuntimeException e) {
            throw new StoreUnavailableException("taking the reconciliation lock failed: " + DbErrors.describe(e), e);
        }
        boolean locked;
        boolean writers;
        try {
            // In the same statement, whether another session of this database is in a write transaction: often
            // none, and then the fence below is skipped for the price of this column.
            var row = session(connection)
                    .select(DSL.field("pg_try_advisory_lock({0})", Boolean.class, DSL.val(key)),
                            DSL.field(WRITERS_NOW, Boolean.class))
                    .fetchOne();
            locked = row != null && Boolean.TRUE.equals(row.value1());
            writers = row == null || !Boolean.FALSE.equals(row.value2());
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw new StoreUnavailableException("taking the reconciliation lock failed: " + DbErrors.describe(e), e);
        }
        if (!locked) {
            closeQuietly(connection);
            return Optional.empty();
        }
        Held held = new Held(connection, key);
        if (writers) {
            try {
                awaitEarlierWriters(connection);
            } catch (SQLException | RuntimeException e) {
                held.close();
                throw new StoreUnavailableException("waiting for earlier writers under the reconciliation lock failed: "
                        + DbErrors.describe(e), e);
            }
        }
        return Optional.of(held);
    }

    private void awaitEarlierWriters(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(awaitEarlierWriters);
            for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                String message = w.getMessage();
                LOG.warn("reconciliation lock taken: " + message + "; going ahead");
            }
        }
    }

    private DSLContext session(Connection connection) {
        return DSL.using(connection, database.dsl().dialect(), database.dsl().settings());
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing the session is what releases a session lock anyway; nothing more to do.
            LOG.atDebug().log(() -> "closing the lock connection failed: " + DbErrors.describe(e));
        }
    }

    /** The lock while held: the session that holds it. */
    private final class Held implements HeldLock {

        private final Connection connection;
        private final long heldKey;
        private final AtomicBoolean closed = new AtomicBoolean();

        Held(Connection connection, long heldKey) {
            this.connection = connection;
            this.heldKey = heldKey;
        }

        /**
         * Unlocks and closes the session. Idempotent, never throws: if the unlock fails (the connection died),
         * the session is gone and PostgreSQL has already released the lock.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                // Explicit unlock first, so the lock is free even if closing the socket lingers.
                session(connection).select(DSL.field("pg_advisory_unlock({0})", Boolean.class, DSL.val(heldKey))).fetch();
            } catch (RuntimeException e) {
                LOG.atDebug().log(() -> "unlocking the reconciliation lock failed (session gone, lock released with it): "
                        + DbErrors.describe(e));
            } finally {
                closeQuietly(connection);
            }
        }
    }
}
