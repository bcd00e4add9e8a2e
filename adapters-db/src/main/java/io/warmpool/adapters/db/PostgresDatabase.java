package io.warmpool.adapters.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database warmpool runs on: an embedded PostgreSQL whose data lives under a directory (kept across
 * restarts), or any external PostgreSQL ≥ 14 by JDBC URL. {@link #start()} starts the server when embedded,
 * opens the HikariCP pool and applies the Flyway migrations; {@link #close()} undoes it. Constructors do no I/O.
 */
public final class PostgresDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresDatabase.class);

    private final Path embeddedDataDir;
    private final EmbeddedPostgresServer.Options embeddedOptions;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;

    private EmbeddedPostgresServer embedded;
    private String effectivePassword;
    private HikariDataSource pool;
    /** The connections of the started pool; {@code null} before {@link #start()} and after {@link #close()}. */
    private volatile FairConnectionProvider connections;
    /**
     * One jOOQ context for the life of this object, over whichever pool is open: the adapters are built over it
     * before the database starts (constructing them does no I/O) and use it once it has.
     */
    private final DSLContext context = DSL.using(new OpenPool(), SQLDialect.POSTGRES, new Settings()
            .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
            .withExecuteLogging(false));
    private String effectiveUrl;
    private String effectiveUser;

    private PostgresDatabase(Path embeddedDataDir, EmbeddedPostgresServer.Options embeddedOptions, String jdbcUrl, String user,
                             String password, int poolSize) {
        this.embeddedDataDir = embeddedDataDir;
        this.embeddedOptions = embeddedOptions;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        if (poolSize < 2) {
            throw new IllegalArgumentException("the database pool needs at least 2 connections, got " + poolSize);
        }
        this.poolSize = poolSize;
    }

    /**
     * An embedded PostgreSQL 17 with its data (and unpacked binaries) under {@code stateDir}, locked down and
     * supervised ({@link EmbeddedPostgresServer}); {@code options} say whether it is durable.
     */
    public static PostgresDatabase embedded(Path stateDir, int poolSize, EmbeddedPostgresServer.Options options) {
        return new PostgresDatabase(Objects.requireNonNull(stateDir, "stateDir"), Objects.requireNonNull(options, "options"),
                null, null, null, poolSize);
    }

    /**
     * An external PostgreSQL ≥ 14.
     *
     * @param user     or {@code null} when the URL carries it
     * @param password or {@code null} when the URL carries it; never logged
     */
    public static PostgresDatabase external(String jdbcUrl, String user, String password, int poolSize) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
        }
        return new PostgresDatabase(null, null, jdbcUrl, user, password, poolSize);
    }

    /** Starts the embedded server when there is one, opens the pool, applies migrations. */
    public synchronized void start() {
        if (connections != null) {
            return;
        }
        try {
            if (embeddedDataDir != null) {
                embedded = new EmbeddedPostgresServer(embeddedDataDir, embeddedOptions);
                embedded.start();
                effectiveUrl = embedded.jdbcUrl();
                effectiveUser = embedded.user();
                effectivePassword = embedded.password();
            } else {
                effectiveUrl = jdbcUrl;
                effectiveUser = user;
                effectivePassword = password;
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(effectiveUrl);
            if (effectiveUser != null) {
                config.setUsername(effectiveUser);
            }
            if (effectivePassword != null) {
                config.setPassword(effectivePassword);
            }
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(Math.min(2, poolSize));
            config.setPoolName("warmpool-db");
            config.setConnectionTimeout(10_000);
            config.setInitializationFailTimeout(30_000);
            pool = new HikariDataSource(config);
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            EmbeddedPostgresServer server = embedded;
            connections = new FairConnectionProvider(pool, poolSize, config.getConnectionTimeout(),
                    server == null ? () -> null : () -> server.health().up() ? null : server.health().detail());
            LOG.info("database ready (" + (embedded != null ? "embedded PostgreSQL under " + embeddedDataDir : "external") + ")");
        } catch (io.warmpool.adapters.db.embedded.EmbeddedPostgresException e) {
            close();
            throw new DatabaseStartException(e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw new DatabaseStartException("could not open the database: " + DbErrors.describe(e), e);
        }
    }

    /** The jOOQ context over the pool; the database must be started. */
    public DSLContext dsl() {
        if (connections == null) {
            throw new IllegalStateException("database not started");
        }
        return context;
    }

    /**
     * The jOOQ context the adapters are built over, before the database has started (no I/O): a query fails with a
     * {@link DataAccessException} until {@link #start()} and after {@link #close()}.
     */
    DSLContext context() {
        return context;
    }

    public DataSource dataSource() {
        dsl();
        return pool;
    }

    /**
     * A connection outside the pool, for a session that must outlive a transaction (LISTEN, advisory locks).
     * The caller closes it.
     */
    public Connection openDedicatedConnection() throws SQLException {
        dsl();
        Properties props = new Properties();
        if (effectiveUser != null) {
            props.setProperty("user", effectiveUser);
        }
        if (effectivePassword != null) {
            props.setProperty("password", effectivePassword);
        }
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(effectiveUrl, props);
    }

    /**
     * How the service reaches its database, for a tool that must reach it the same way (the terraform provisioner's
     * {@code pg} backend): the JDBC URL, the user and the password (each {@code null} when the URL carries it). The
     * database must be started. Holds the password: never log it.
     */
    public ConnectionInfo connectionInfo() {
        dsl();
        return new ConnectionInfo(effectiveUrl, effectiveUser, effectivePassword);
    }

    /** The JDBC URL, user and password; {@link #toString()} never prints the password. */
    public record ConnectionInfo(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "ConnectionInfo[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /**
     * The embedded server's health ({@link EmbeddedPostgresServer.Health}), or empty for an external database. Cheap:
     * no query.
     */
    public java.util.Optional<EmbeddedPostgresServer.Health> embeddedHealth() {
        EmbeddedPostgresServer server = embedded;
        return server == null ? java.util.Optional.empty() : java.util.Optional.of(server.health());
    }

    /** Whether the database answers now (for readiness checks). */
    public boolean isReachable() {
        try {
            return dsl().selectOne().fetchOne() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
        connections = null;
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    /** The started pool's connections, or a failure before start and after close. */
    private final class OpenPool implements ConnectionProvider {
        @Override
        public Connection acquire() {
            FairConnectionProvider open = connections;
            if (open == null) {
                throw new DataAccessException("database not started");
            }
            return open.acquire();
        }

        @Override
        public void release(Connection connection) {
            FairConnectionProvider open = connections;
            if (open != null) {
                open.release(connection);
            } else {
                // closed while the connection was out: the pool is gone, the connection with it
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new DataAccessException("could not return a database connection: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The database could not be started or reached at start. */
    public static final class DatabaseStartException extends RuntimeException {
        public DatabaseStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
