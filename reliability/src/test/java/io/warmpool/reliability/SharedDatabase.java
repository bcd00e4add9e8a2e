package io.warmpool.reliability;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One embedded PostgreSQL 17 that lives in the test JVM, outside every service process under test: killing a
 * service never takes the database with it. It listens on a fixed port chosen at the first start, and keeps its
 * data directory, so {@link #stop()} and {@link #start()} are a real database restart (same address, same
 * data) — for tests of a database restart under load.
 *
 * <p>Each test takes a fresh database of its own with {@link #create(String)}; the services apply the migrations
 * themselves at start (several replicas starting at once race for them, as in production).
 */
public final class SharedDatabase implements AutoCloseable {

    /** The superuser of the embedded server. */
    public static final String USER = "postgres";

    private final Path dataDir;
    private final Path binariesDir;
    private final int port;
    private EmbeddedPostgres server;

    private SharedDatabase(Path dataDir, Path binariesDir, int port) {
        this.dataDir = dataDir;
        this.binariesDir = binariesDir;
        this.port = port;
    }

    /**
     * Starts a server with its data under {@code dir} (wiped first) on a free port.
     *
     * @param dir for example {@code Logs.dir("MyTest").resolve("pg")}
     */
    public static SharedDatabase start(Path dir) {
        try {
            Path data = dir.resolve("pgdata");
            deleteRecursively(data);
            Files.createDirectories(data);
            // Shared with the other modules' tests: the binaries are unpacked once per machine.
            Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "warmpool-test-pg");
            Files.createDirectories(binaries);
            SharedDatabase db = new SharedDatabase(data, binaries, freePort());
            db.start();
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server (again), on the same port with the same data. No-op when it runs. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binariesDir.toFile())
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300")
                    // Speed only: a crash of the test machine loses the test anyway.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the shared PostgreSQL on port " + port, e);
        }
    }

    /**
     * Stops the server (a fast shutdown: sessions are terminated, data kept). Services connected to it see their
     * connections fail until {@link #start()}.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the shared PostgreSQL", e);
        } finally {
            server = null;
        }
    }

    public synchronized boolean running() {
        return server != null;
    }

    public int port() {
        return port;
    }

    /** Creates an empty database {@code name} (lowercase letters, digits, underscores) and returns its coordinates. */
    public Database create(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("database name must be [a-z][a-z0-9_]*, got " + name);
        }
        Database admin = new Database("postgres", port);
        admin.execute("create database " + name);
        return new Database(name, port);
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /**
     * One database of the shared server: its JDBC URL for the services, and plain JDBC helpers for the test's own
     * reads (each call opens and closes a connection, so they work across a database restart).
     *
     * <p>The password is handed to the services as {@code WARMPOOL_DB_PASSWORD} (so tests can check it never
     * reaches a log); the embedded server trusts local connections and does not check it.
     */
    public static final class Database {

        private final String name;
        private final int port;
        private final String loginUser;
        private final String loginPassword;

        Database(String name, int port) {
            this(name, port, USER, null);
        }

        private Database(String name, int port, String loginUser, String loginPassword) {
            this.name = name;
            this.port = port;
            this.loginUser = loginUser;
            this.loginPassword = loginPassword;
        }

        /**
         * The database a service runs on its embedded PostgreSQL (password logins only), with the same helpers:
         * {@code name} on 127.0.0.1:{@code port} as {@code user}.
         */
        public static Database embedded(String name, int port, String user, String password) {
            return new Database(name, port, user, password);
        }

        public String name() {
            return name;
        }

        /** {@code jdbc:postgresql://localhost:PORT/NAME}. */
        public String jdbcUrl() {
            return "jdbc:postgresql://" + (loginPassword == null ? "localhost" : "127.0.0.1") + ":" + port + "/" + name;
        }

        /**
         * The URL with {@code ApplicationName}, so that {@code pg_stat_activity} and {@code pg_locks} tell which
         * service process a session belongs to (its pool and its lock connection alike).
         */
        public String jdbcUrl(String applicationName) {
            return jdbcUrl() + "?ApplicationName=" + applicationName;
        }

        public String user() {
            return USER;
        }

        public String password() {
            return "reliability-db-secret-" + name;
        }

        public Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", loginUser);
            if (loginPassword != null) {
                p.setProperty("password", loginPassword);
            }
            p.setProperty("ApplicationName", "reliability-test");
            p.setProperty("connectTimeout", "10");
            return DriverManager.getConnection(jdbcUrl(), p);
        }

        /** Runs one statement (no result). */
        public void execute(String sql, Object... args) {
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, args);
                s.execute();
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        /** Rows of one query, each a map column → value, in column order. */
        public List<Map<String, Object>> query(String sql, Object... args) {
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, args);
                try (ResultSet rs = s.executeQuery()) {
                    return rows(rs);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        /** The single value of a query that returns one row with one column ({@code null} for no row). */
        public Object value(String sql, Object... args) {
            List<Map<String, Object>> rows = query(sql, args);
            if (rows.isEmpty()) {
                return null;
            }
            return rows.get(0).values().iterator().next();
        }

        public long count(String sql, Object... args) {
            Object v = value(sql, args);
            return v == null ? 0 : ((Number) v).longValue();
        }

        static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }

        private static void bind(PreparedStatement s, Object[] args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
        }

        /** Keeps a session open (e.g. holding a table lock) until closed. */
        public Session session() {
            try {
                return new Session(connect());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to " + name + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return jdbcUrl();
        }
    }

    /** A session the test holds open, e.g. a transaction holding a lock. Closing it ends the session. */
    public static final class Session implements AutoCloseable {

        private final Connection connection;

        Session(Connection connection) {
            this.connection = connection;
        }

        /** Starts a transaction: what follows runs in it until {@link #commit()}, {@link #rollback()} or close. */
        public Session begin() {
            try {
                connection.setAutoCommit(false);
                return this;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        public Session commit() {
            try {
                connection.commit();
                connection.setAutoCommit(true);
                return this;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        public Session rollback() {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
                return this;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        public List<Map<String, Object>> query(String sql) {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                return Database.rows(rs);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        public Session execute(String sql) {
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
                return this;
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                // the session ends either way
            }
        }
    }
}
