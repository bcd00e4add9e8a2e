package io.warmpool.adapters.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nudges across replicas with PostgreSQL {@code LISTEN/NOTIFY} on the channel {@value #CHANNEL}.
 *
 * <p>{@link #nudge} sends {@code pg_notify} through the pool; PostgreSQL delivers it, after commit, to every
 * session listening on the channel, in every replica (this one included). The payload is a JSON array
 * {@code [template, version, preset]}, so names can never be confused whatever characters they hold.
 *
 * <p>{@link #subscribe} runs a daemon thread with a dedicated connection (a listening session must outlive any
 * pooled transaction) that polls for notifications and calls the listener for each. Delivery is best effort and
 * at most once, as the port allows: nudges sent while the connection is down are lost, the thread reconnects with
 * a bounded backoff, and the regular pass does the work meanwhile.
 */
final class PostgresNudgeAdapter implements NudgePort {

    /** The notification channel every replica listens on. */
    public static final String CHANNEL = "warmpool_nudge";
    /** The channel on which prebuilds that became eligible, and waiters that left, are announced (R12 wait). */
    public static final String READY_CHANNEL = "warmpool_prebuild_ready";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNudgeAdapter.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(30);

    private final PostgresDatabase database;
    private final String channel;
    private final Duration pollTimeout;
    private final Duration minReconnectDelay;
    private final Duration maxReconnectDelay;

    /** An adapter polling every 500 ms and reconnecting after 100 ms, doubling up to 5 s. Does no I/O. */
    public PostgresNudgeAdapter(PostgresDatabase database) {
        this(database, Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /**
     * @param pollTimeout       how long one poll for notifications blocks; bounds how long {@code close()} waits
     * @param minReconnectDelay the first wait after the listening connection failed
     * @param maxReconnectDelay the cap of the doubling wait between reconnection attempts
     */
    PostgresNudgeAdapter(PostgresDatabase database, Duration pollTimeout, Duration minReconnectDelay,
                         Duration maxReconnectDelay) {
        this(database, CHANNEL, pollTimeout, minReconnectDelay, maxReconnectDelay);
    }

    /**
     * The same on another channel (a constant identifier of ours, never user data: LISTEN takes no parameters),
     * e.g. {@link #READY_CHANNEL} for the waiting claims.
     */
    PostgresNudgeAdapter(PostgresDatabase database, String channel, Duration pollTimeout, Duration minReconnectDelay,
                         Duration maxReconnectDelay) {
        this.database = Objects.requireNonNull(database, "database");
        if (!CHANNEL.equals(channel) && !READY_CHANNEL.equals(channel)) {
            throw new IllegalArgumentException("unknown channel " + channel);
        }
        this.channel = channel;
        this.pollTimeout = requirePositive(pollTimeout, "pollTimeout");
        this.minReconnectDelay = requirePositive(minReconnectDelay, "minReconnectDelay");
        this.maxReconnectDelay = requirePositive(maxReconnectDelay, "maxReconnectDelay");
        if (maxReconnectDelay.compareTo(minReconnectDelay) < 0) {
            throw new IllegalArgumentException("maxReconnectDelay must not be below minReconnectDelay");
        }
    }

    private static Duration requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be positive and fit in int milliseconds, got " + d);
        }
        return d;
    }

    /**
     * Sends a nudge for {@code preset} to every listening replica (autocommit, so it is delivered at once).
     *
     * @throws io.warmpool.application.port.out.StoreUnavailableException when the database cannot be reached;
     *         callers treat a lost nudge as harmless
     */
    @Override
    public void nudge(PresetId preset) {
        Objects.requireNonNull(preset, "preset");
        String payload = encode(preset);
        DbErrors.guardRun("sending a nudge for " + preset, () -> database.dsl().connection(connection -> {
            try (PreparedStatement ps = connection.prepareStatement("select pg_notify(?, ?)")) {
                ps.setString(1, channel);
                ps.setString(2, payload);
                ps.executeQuery().close();
            }
        }));
    }

    /**
     * Sends a nudge for each of {@code presets} in one statement ({@code pg_notify} once per preset, the same
     * notifications as {@link #nudge} sends one at a time).
     *
     * @throws io.warmpool.application.port.out.StoreUnavailableException when the database cannot be reached
     */
    @Override
    public void nudgeAll(Collection<PresetId> presets) {
        Objects.requireNonNull(presets, "presets");
        if (presets.isEmpty()) {
            return;
        }
        String[] payloads = presets.stream().map(PostgresNudgeAdapter::encode).toArray(String[]::new);
        DbErrors.guardRun("sending nudges for " + presets.size() + " presets", () -> database.dsl().connection(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(NOTIFY_ALL_SQL)) {
                ps.setString(1, channel);
                ps.setArray(2, connection.createArrayOf("text", payloads));
                ps.executeQuery().close();
            }
        }));
    }

    /** One {@code pg_notify} per payload, a constant statement (neither rendered nor planned per call). */
    static final String NOTIFY_ALL_SQL = "select pg_notify(?, p.payload) from unnest(?::text[]) as p(payload)";

    /**
     * Starts listening. The first connection is opened before this returns, so a nudge sent after it returns is
     * delivered (unless the connection drops later); if it cannot be opened, the thread keeps trying in the
     * background. The listener runs on the adapter's thread, one notification at a time; an exception from it
     * is logged and does not stop the subscription.
     *
     * @return the subscription; closing it stops the thread, waiting for it a bounded time, and closes its connection
     */
    @Override
    public Subscription subscribe(Consumer<PresetId> listener) {
        Objects.requireNonNull(listener, "listener");
        Listening listening = new Listening(listener);
        listening.connectFirst();
        listening.thread.start();
        return listening;
    }

    static String encode(PresetId preset) {
        try {
            return MAPPER.writeValueAsString(new String[] {preset.template(), preset.version(), preset.preset()});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a preset id", e);
        }
    }

    /** The preset a payload names, or empty when it is not one of ours (anyone may NOTIFY on the channel). */
    static Optional<PresetId> decode(String payload) {
        try {
            String[] parts = MAPPER.readValue(payload, String[].class);
            if (parts == null || parts.length != 3 || parts[0] == null || parts[1] == null || parts[2] == null) {
                return Optional.empty();
            }
            return Optional.of(new PresetId(parts[0], parts[1], parts[2]));
        } catch (JsonProcessingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One subscription: its thread, and the connection that thread owns. */
    final class Listening implements Subscription {

        private final Consumer<PresetId> listener;
        private final Thread thread;
        private final CountDownLatch stop = new CountDownLatch(1);
        // Written by the subscribing thread before start() and then only by the listening thread.
        private Connection connection;
        private volatile int backendPid = -1;

        Listening(Consumer<PresetId> listener) {
            this.listener = listener;
            this.thread = new Thread(this::run, "warmpool-nudge-listener-" + THREADS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        void connectFirst() {
            try {
                connection = listen();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("nudge listener could not connect yet, retrying in the background: " + DbErrors.describe(e));
                connection = null;
            }
        }

        private Connection listen() throws SQLException {
            Connection c = database.openDedicatedConnection();
            try (Statement s = c.createStatement()) {
                // The channel is a constant identifier, not data: LISTEN takes no bind parameters.
                s.execute("LISTEN " + channel);
                backendPid = c.unwrap(PGConnection.class).getBackendPID();
                return c;
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
        }

        private void run() {
            Duration delay = minReconnectDelay;
            long idlePollsBeforeCheck = Math.max(1, HEALTH_CHECK_INTERVAL.toMillis() / pollTimeout.toMillis());
            long idlePolls = 0;
            while (!stopping()) {
                if (connection == null) {
                    try {
                        connection = listen();
                        delay = minReconnectDelay;
                        LOG.info("nudge listener reconnected");
                    } catch (SQLException | RuntimeException e) {
                        String why = DbErrors.describe(e);
                        Duration wait = delay;
                        LOG.warn("nudge listener cannot connect (" + why + "), retrying in " + wait.toMillis() + " ms");
                        if (await(delay)) {
                            break;
                        }
                        delay = delay.multipliedBy(2).compareTo(maxReconnectDelay) > 0 ? maxReconnectDelay : delay.multipliedBy(2);
                        continue;
                    }
                }
                try {
                    PGNotification[] notifications = connection.unwrap(PGConnection.class)
                            .getNotifications((int) pollTimeout.toMillis());
                    if (notifications != null && notifications.length > 0) {
                        idlePolls = 0;
                        for (PGNotification n : notifications) {
                            deliver(n);
                        }
                    } else if (++idlePolls >= idlePollsBeforeCheck) {
                        // A half-open TCP connection never errors on a read with a timeout: probe it now and then.
                        idlePolls = 0;
                        if (!connection.isValid(5)) {
                            throw new SQLException("the listening connection does not answer", "08006");
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    if (stopping()) {
                        break;
                    }
                    LOG.warn("nudge listener lost its connection (" + DbErrors.describe(e) + "), reconnecting");
                    closeQuietly(connection);
                    connection = null;
                    backendPid = -1;
                    if (await(delay)) {
                        break;
                    }
                }
            }
            if (connection != null) {
                closeQuietly(connection);
                connection = null;
            }
            backendPid = -1;
        }

        private void deliver(PGNotification n) {
            if (!channel.equals(n.getName())) {
                return;
            }
            Optional<PresetId> preset = decode(n.getParameter());
            if (preset.isEmpty()) {
                LOG.atDebug().log(() -> "ignoring a notification that names no preset on " + channel);
                return;
            }
            try {
                listener.accept(preset.get());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // One bad nudge must not stop the nudges that follow.
                LOG.warn("nudge listener failed for " + preset.get() + "; continuing", e);
            }
        }

        private boolean stopping() {
            return stop.getCount() == 0;
        }

        /** Waits {@code d} or until closed; true when closed. */
        private boolean await(Duration d) {
            try {
                return stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        /** The backend process id of the listening session, for tests that kill it; empty while disconnected. */
        OptionalInt backendPid() {
            int pid = backendPid;
            return pid < 0 ? OptionalInt.empty() : OptionalInt.of(pid);
        }

        /** Whether the listening thread is alive (for tests). */
        boolean isRunning() {
            return thread.isAlive();
        }

        /**
         * Stops listening: the thread finishes its current poll (at most the poll timeout) and closes its
         * connection. Waits for it at most the poll timeout plus 5 s. Idempotent.
         */
        @Override
        public void close() {
            stop.countDown();
            if (Thread.currentThread() == thread) {
                return; // closed from inside the listener: the loop ends after this notification
            }
            try {
                thread.join(pollTimeout.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("nudge listener did not stop in time; it is a daemon thread and ends with its connection");
            }
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.atDebug().log(() -> "closing the nudge connection failed: " + DbErrors.describe(e));
        }
    }
}
