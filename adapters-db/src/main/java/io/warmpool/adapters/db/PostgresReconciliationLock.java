package io.warmpool.adapters.db;

import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The cluster-wide reconciliation lock as a PostgreSQL <em>session-level</em> advisory lock
 * ({@code pg_try_advisory_lock}), held on a dedicated connection outside the pool for the whole pass.
 *
 * <p>Why a session lock on its own connection: a transaction-scoped lock would force the whole pass into one
 * transaction, and a pooled connection could be handed to other work while still holding the lock. With a
 * dedicated session, PostgreSQL releases the lock by itself when the session ends — a replica killed mid-pass,
 * or a network failure, never keeps it (SPEC §7).
 *
 * <p>Every replica must use the same key; the default differs from every other advisory key warmpool uses.
 * Thread-safe; each {@link #tryAcquire()} opens its own connection.
 */
public final class PostgresReconciliationLock implements ReconciliationLockPort {

    /** The advisory lock key of the reconciliation lock ("warm" in the high half, 2 in the low half). */
    public static final long DEFAULT_KEY = 0x7761726d_00000002L;

    private static final Logger LOG = Logger.getLogger(PostgresReconciliationLock.class.getName());

    private final PostgresDatabase database;
    private final long key;

    /** A lock on {@link #DEFAULT_KEY}. Does no I/O. */
    public PostgresReconciliationLock(PostgresDatabase database) {
        this(database, DEFAULT_KEY);
    }

    /** A lock on {@code key} (tests, or several warmpool installations sharing one database). Does no I/O. */
    public PostgresReconciliationLock(PostgresDatabase database, long key) {
        this.database = Objects.requireNonNull(database, "database");
        this.key = key;
    }

    /**
     * Opens a dedicated connection and tries the advisory lock on it without waiting.
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
        try {
            Boolean locked = session(connection)
                    .select(DSL.field("pg_try_advisory_lock({0})", Boolean.class, DSL.val(key)))
                    .fetchOne(0, Boolean.class);
            if (Boolean.TRUE.equals(locked)) {
                return Optional.of(new Held(connection, key));
            }
            closeQuietly(connection);
            return Optional.empty();
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw new StoreUnavailableException("taking the reconciliation lock failed: " + DbErrors.describe(e), e);
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
            LOG.fine(() -> "closing the lock connection failed: " + DbErrors.describe(e));
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
                LOG.fine(() -> "unlocking the reconciliation lock failed (session gone, lock released with it): "
                        + DbErrors.describe(e));
            } finally {
                closeQuietly(connection);
            }
        }
    }
}
