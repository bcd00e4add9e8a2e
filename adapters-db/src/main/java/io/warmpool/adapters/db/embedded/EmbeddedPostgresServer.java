package io.warmpool.adapters.db.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 17 that {@code warmpool run} uses by default, locked down and supervised.
 *
 * <p><b>Access.</b> Every connection authenticates with a password (SCRAM-SHA-256): the hba file, rewritten at
 * every start, has one line, TCP from 127.0.0.1; the server listens on 127.0.0.1 only and has no unix socket. The
 * superuser's secret ({@code db-superuser-password}) and the application role's ({@code db-password}) are generated
 * and kept mode 0600 in the state directory (0700). The service connects as the role {@code warmpool}, which is
 * not a superuser and owns the database {@code warmpool} and its schema, so SQL run through it cannot read files
 * or start programs. The binaries are unpacked 0700 and verified (SHA-256) before every start
 * ({@link PostgresBinaries}).
 *
 * <p><b>Durability.</b> {@link Durability#DURABLE} (what {@code run} uses) keeps PostgreSQL's defaults, fsync and
 * synchronous commit on, and says so on the command line so that no configuration file can turn them off;
 * {@link Durability#THROWAWAY} turns them off for databases whose loss is harmless (the simulator's, benchmarks').
 *
 * <p><b>Crashes.</b> A file lock on {@code embedded-db.lock} says which warmpool process owns the state directory:
 * a second one fails at once, naming the first. A postmaster left running by an owner that was killed (SIGKILL
 * cannot stop its child) is recognised by its working directory and binary, and stopped before the new start; a
 * PostgreSQL this service did not start is never touched. While running, the server is supervised: when it
 * exits unexpectedly it is started again (crash recovery) with growing delays, {@link #health()} says so, and
 * after {@code recoveryTimeout} without success it reports {@link State#FAILED} so that a liveness probe can
 * restart the whole service.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** The database and role the service uses. */
    public static final String APP_ROLE = "warmpool";
    private static final String SUPERUSER = "postgres";
    /** The files in the state directory. */
    public static final String APP_PASSWORD_FILE = "db-password";
    public static final String SUPERUSER_PASSWORD_FILE = "db-superuser-password";
    private static final String LOCK_FILE = "embedded-db.lock";
    private static final String LOG_FILE = "postgres.log";
    private static final long LOG_ROTATE_BYTES = 10L << 20;
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    /** Whether committed data must survive an OS crash or power loss. */
    public enum Durability {
        /** fsync, full-page writes and synchronous commit on: the service's database. */
        DURABLE,
        /** All three off: only for a database whose loss is harmless (simulator, benchmarks). */
        THROWAWAY
    }

    /** What the supervisor knows of the server now. */
    public enum State { STOPPED, STARTING, UP, RECOVERING, FAILED }

    /**
     * The server's health for probes.
     *
     * @param state  where the server is
     * @param detail a short sentence for operators (no secret)
     */
    public record Health(State state, String detail) {
        public boolean up() {
            return state == State.UP;
        }
    }

    /**
     * How the server runs.
     *
     * @param durability      see {@link Durability}
     * @param recoveryTimeout after this long down, {@link #health()} reports {@link State#FAILED}
     */
    public record Options(Durability durability, Duration recoveryTimeout) {
        public Options {
            Objects.requireNonNull(durability, "durability");
            Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
            if (recoveryTimeout.isNegative() || recoveryTimeout.isZero()) {
                throw new IllegalArgumentException("the recovery timeout must be positive");
            }
        }

        /** The service's: durable, FAILED after 60 s down. */
        public static final Options DURABLE = new Options(Durability.DURABLE, Duration.ofSeconds(60));
        /** For throwaway databases (simulator, benchmarks). */
        public static final Options THROWAWAY = new Options(Durability.THROWAWAY, Duration.ofSeconds(60));
    }

    private final Path stateDir;
    private final Path dataDir;
    private final Options options;

    private FileChannel lockChannel;
    private FileLock lock;
    private PostgresBinaries binaries;
    private String superuserPassword;
    private String appPassword;
    private int port;
    private volatile Process process;
    private volatile Health health = new Health(State.STOPPED, "not started");
    private volatile boolean closing;
    private long downSinceNanos;
    private int attempt;
    private ScheduledExecutorService supervisor;

    /** A server with its data under {@code stateDir}; nothing happens until {@link #start()}. */
    public EmbeddedPostgresServer(Path stateDir, Options options) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
        this.dataDir = this.stateDir.resolve("pgdata");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Locks the state directory, prepares the binaries, stops an orphan of an earlier run, initialises or upgrades
     * the data directory, starts the server, and makes sure the application role and database exist.
     *
     * @throws EmbeddedPostgresException with what went wrong and what to do
     */
    public synchronized void start() {
        if (health.state() != State.STOPPED) {
            return;
        }
        closing = false;
        health = new Health(State.STARTING, "starting");
        try {
            FileModes.ensurePrivateDirectory(stateDir);
            lockStateDir();
            binaries = PostgresBinaries.prepare(stateDir.resolve("pgbin"));
            stopOrphanedServer();
            prepareDataDir();
            writeHbaFile();
            port = freePort();
            launchAndWait();
            ensureRoleAndDatabase();
            supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "embedded-postgres-supervisor");
                t.setDaemon(true);
                return t;
            });
            health = new Health(State.UP, "embedded PostgreSQL up on 127.0.0.1:" + port);
        } catch (IOException e) {
            close();
            throw new EmbeddedPostgresException("could not start the embedded PostgreSQL under " + stateDir + ": " + e, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The JDBC URL of the application database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + APP_ROLE;
    }

    /** The application role, which owns the application database. */
    public String user() {
        return APP_ROLE;
    }

    /** The application role's password (never logged). */
    public String password() {
        return appPassword;
    }

    /** The TCP port on 127.0.0.1, fixed for the life of this object (kept across restarts). */
    public int port() {
        return port;
    }

    /** The server's health now; cheap, for every probe and every connection borrow. */
    public Health health() {
        return health;
    }

    // ---- start ----

    private void lockStateDir() throws IOException {
        Path file = stateDir.resolve(LOCK_FILE);
        lockChannel = FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PostgresBinaries.FILE_MODE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
            lockChannel.close();
            lockChannel = null;
            throw new EmbeddedPostgresException("another warmpool" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is running with the embedded database under " + stateDir
                    + "; stop it first, or give this one another --state-dir");
        }
        lockChannel.truncate(0);
        lockChannel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    }

    /**
     * A postmaster still running on our data directory can only be left over from an earlier owner of the state
     * directory (we hold its lock now): stop it. Anything else named by a stale {@code postmaster.pid} is not ours.
     */
    private void stopOrphanedServer() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (RuntimeException e) {
            return; // a torn file: PostgreSQL itself decides
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(EmbeddedPostgresServer::running);
        if (handle.isEmpty()) {
            LOG.info("the embedded PostgreSQL (pid " + pid + ") of an earlier run is gone; PostgreSQL will recover its data");
            return;
        }
        Path cwd = readLink(Path.of("/proc", Long.toString(pid), "cwd"));
        if (cwd == null || !cwd.equals(dataDir.toRealPath())) {
            // The pid was reused by an unrelated process: the lock file is stale and PostgreSQL would refuse it.
            Files.delete(pidFile);
            LOG.info("removed a stale postmaster.pid (pid " + pid + " is now another process)");
            return;
        }
        Path exe = readLink(Path.of("/proc", Long.toString(pid), "exe"));
        if (exe == null || !exe.startsWith(binaries.home().toRealPath())) {
            throw new EmbeddedPostgresException("a PostgreSQL server that warmpool did not start (pid " + pid
                    + (exe == null ? "" : ", " + exe) + ") is running on " + dataDir
                    + "; warmpool will not touch it: stop it yourself, or give warmpool an external database with --db-url");
        }
        LOG.warn("the embedded PostgreSQL of an earlier warmpool run (pid " + pid
                + ") is still running, its owner was killed; stopping it before this start");
        stopProcess(handle.get(), pid);
    }

    private static Path readLink(Path link) {
        try {
            return Files.readSymbolicLink(link);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL: with fsync on, each is crash-safe. */
    private void stopProcess(ProcessHandle handle, long pid) {
        for (String signal : List.of("INT", "QUIT", "KILL")) {
            if (!running(handle)) {
                return;
            }
            signal(pid, signal);
            // Polled: the JDK watches a process that is not its child (an orphan) only every few hundred ms.
            long deadline = System.nanoTime() + (signal.equals("INT") ? STOP_WAIT : Duration.ofSeconds(3)).toNanos();
            while (running(handle) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!running(handle)) {
                return;
            }
            LOG.warn("the embedded PostgreSQL (pid " + pid + ") did not stop on SIG" + signal);
        }
    }

    /**
     * Alive and not a zombie: an orphan that has exited stays in the process table until its new parent (init, or
     * whatever the machine runs as pid 1) reaps it, which can take seconds; it holds nothing any more.
     */
    private static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return handle.isAlive();
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warn("could not signal pid " + pid + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void prepareDataDir() throws IOException {
        Path superFile = stateDir.resolve(SUPERUSER_PASSWORD_FILE);
        Optional<String> stored = FileModes.readSecret(superFile);
        if (!Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
            FileModes.deleteTree(dataDir);
            superuserPassword = stored.isPresent() ? stored.get() : FileModes.createSecret(superFile);
            initdb(superFile);
        } else if (stored.isPresent()) {
            superuserPassword = stored.get();
        } else {
            // Made by an earlier release (which trusted every local connection), or the file was deleted: set a new
            // secret with the server stopped, through single-user mode, so it never crosses a socket.
            superuserPassword = FileModes.createSecret(superFile);
            singleUser("ALTER ROLE " + SUPERUSER + " WITH PASSWORD '" + PasswordUtil.encodeScramSha256(superuserPassword.toCharArray()) + "';");
            LOG.warn("set a new password for the embedded PostgreSQL's superuser (kept in " + superFile
                    + "): the data directory had none, as an earlier release left it");
        }
        Optional<String> app = FileModes.readSecret(stateDir.resolve(APP_PASSWORD_FILE));
        appPassword = app.isPresent() ? app.get() : FileModes.createSecret(stateDir.resolve(APP_PASSWORD_FILE));
    }

    private void initdb(Path passwordFile) throws IOException {
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PostgresBinaries.DIR_MODE);
        List<String> command = command(binaries.bin("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF-8", "--locale=C", "--no-instructions");
        if (options.durability() == Durability.THROWAWAY) {
            command.add("--no-sync");
        }
        Result r = run(command, null, Duration.ofMinutes(2));
        if (r.exit() != 0) {
            throw new EmbeddedPostgresException("initdb failed (exit " + r.exit() + "): " + tail(r.output(), 10));
        }
        LOG.info("initialised a new PostgreSQL data directory under " + dataDir);
    }

    private void singleUser(String sql) throws IOException {
        List<String> command = command(binaries.bin("postgres").toString(), "--single", "-D", dataDir.toString(),
                "-c", "unix_socket_directories=", "-c", "listen_addresses=", "-c", "log_statement=none",
                "-c", "log_min_error_statement=panic", SUPERUSER);
        Result r = run(command, sql + "\n", Duration.ofMinutes(2));
        if (r.exit() != 0 || r.output().contains("ERROR:")) {
            throw new EmbeddedPostgresException("could not set the superuser password in single-user mode (exit " + r.exit()
                    + "); is another PostgreSQL running on " + dataDir + "?");
        }
    }

    private void writeHbaFile() throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        Path tmp = dataDir.resolve("pg_hba.conf.tmp");
        Files.writeString(tmp, """
                # Written by warmpool at every start; edits here are overwritten.
                # Password (SCRAM-SHA-256) authentication for every connection, TCP on 127.0.0.1 only; no unix socket.
                host all all 127.0.0.1/32 scram-sha-256
                """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PostgresBinaries.FILE_MODE);
        Files.move(tmp, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts the postmaster and waits until it takes a password login; a few tries for transient refusals. */
    private void launchAndWait() throws IOException {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        IOException last = null;
        for (int i = 1; ; i++) {
            try {
                launchOnce(deadline);
                return;
            } catch (LaunchFailed e) {
                last = new IOException(e.getMessage());
                // The old postmaster's backends may still hold its shared memory for a moment, or the port was taken.
                if (i >= 5 || System.nanoTime() > deadline || closing) {
                    throw new EmbeddedPostgresException("the embedded PostgreSQL did not start: " + e.getMessage()
                            + " (its log: " + stateDir.resolve(LOG_FILE) + ")");
                }
                sleep(Math.min(2_000, 200L * i * i));
                if (e.portInUse) {
                    port = freePort();
                }
            }
        }
    }

    private void launchOnce(long deadlineNanos) throws IOException, LaunchFailed {
        Path log = stateDir.resolve(LOG_FILE);
        rotate(log);
        boolean durable = options.durability() == Durability.DURABLE;
        String onOff = durable ? "on" : "off";
        // The server runs in a session of its own (util-linux `setsid`, when installed): a Ctrl-C on the terminal
        // signals the whole foreground process group, and PostgreSQL would take its SIGINT as "fast shutdown" while the
        // service still finishes its pass and its workers' jobs. The service stops it itself, after them.
        List<String> command = new ArrayList<>();
        executable("setsid").ifPresent(command::add);
        command.addAll(command(binaries.bin("postgres").toString(), "-D", dataDir.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "password_encryption=scram-sha-256", "-c", "max_connections=200",
                "-c", "fsync=" + onOff, "-c", "synchronous_commit=" + onOff, "-c", "full_page_writes=" + onOff));
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        Process p = pb.start();
        p.getOutputStream().close();
        while (true) {
            if (!p.isAlive()) {
                String out = readFrom(log, logStart);
                throw new LaunchFailed("it exited with code " + p.exitValue() + ": " + tail(out, 5), out.contains("Address already in use"));
            }
            if (canLogIn(SUPERUSER, superuserPassword, SUPERUSER)) {
                break;
            }
            if (System.nanoTime() > deadlineNanos || closing) {
                p.destroyForcibly();
                throw new LaunchFailed("it did not accept connections within " + START_WAIT.toSeconds() + " s", false);
            }
            sleep(50);
        }
        process = p;
        p.onExit().thenAccept(this::exited);
        LOG.info("embedded PostgreSQL (pid " + p.pid() + ") listening on 127.0.0.1:" + port + ", "
                + (durable ? "durable (fsync and synchronous commit on)" : "THROWAWAY (fsync off: data may be lost on a crash)"));
    }

    private static final class LaunchFailed extends Exception {
        final boolean portInUse;

        LaunchFailed(String message, boolean portInUse) {
            super(message);
            this.portInUse = portInUse;
        }
    }

    private boolean canLogIn(String user, String password, String database) {
        try (Connection c = connect(user, password, database)) {
            return c.isValid(2);
        } catch (SQLException e) {
            String state = e.getSQLState();
            if ("28P01".equals(state) || "28000".equals(state)) {
                throw new EmbeddedPostgresException("the embedded PostgreSQL refused the password in "
                        + stateDir.resolve(SUPERUSER_PASSWORD_FILE) + " (" + state + "); restore that file, or delete it"
                        + " to set a new one at the next start");
            }
            return false;
        }
    }

    private Connection connect(String user, String password, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "warmpool-embedded-setup");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    /**
     * The application role (login, not a superuser) with the stored password, owning the application database. A
     * data directory of an earlier release kept the tables in the database {@code postgres}, owned by the
     * superuser: that database becomes {@code warmpool} and everything in its schema is handed to the role.
     */
    private void ensureRoleAndDatabase() {
        String verifier = PasswordUtil.encodeScramSha256(appPassword.toCharArray());
        try {
            boolean hasAppDb;
            boolean legacy;
            try (Connection c = connect(SUPERUSER, superuserPassword, SUPERUSER); Statement s = c.createStatement()) {
                boolean roleExists;
                try (var rs = s.executeQuery("select exists(select 1 from pg_roles where rolname = '" + APP_ROLE + "')")) {
                    rs.next();
                    roleExists = rs.getBoolean(1);
                }
                s.execute((roleExists ? "ALTER ROLE " : "CREATE ROLE ") + APP_ROLE
                        + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '" + verifier + "'");
                try (var rs = s.executeQuery("select exists(select 1 from pg_database where datname = '" + APP_ROLE + "')")) {
                    rs.next();
                    hasAppDb = rs.getBoolean(1);
                }
                try (var rs = s.executeQuery("select to_regclass('public.flyway_schema_history') is not null")) {
                    rs.next();
                    legacy = !hasAppDb && rs.getBoolean(1);
                }
            }
            if (legacy) {
                try (Connection c = connect(SUPERUSER, superuserPassword, "template1"); Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE " + SUPERUSER + " RENAME TO " + APP_ROLE);
                    s.execute("CREATE DATABASE " + SUPERUSER);
                }
                LOG.warn("moved the tables of an earlier release from the database 'postgres' to 'warmpool', owned by"
                        + " the role 'warmpool' (not a superuser)");
            } else if (!hasAppDb) {
                try (Connection c = connect(SUPERUSER, superuserPassword, SUPERUSER); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + APP_ROLE + " OWNER " + APP_ROLE + " ENCODING 'UTF8' TEMPLATE template0");
                }
            }
            try (Connection c = connect(SUPERUSER, superuserPassword, APP_ROLE); Statement s = c.createStatement()) {
                s.execute("ALTER DATABASE " + APP_ROLE + " OWNER TO " + APP_ROLE);
                s.execute("REVOKE ALL ON DATABASE " + APP_ROLE + " FROM PUBLIC");
                s.execute("ALTER SCHEMA public OWNER TO " + APP_ROLE);
                if (legacy) {
                    s.execute(HAND_OVER_OBJECTS);
                }
            }
        } catch (SQLException e) {
            throw new EmbeddedPostgresException("could not set up the application role and database: SQLState "
                    + e.getSQLState() + " " + firstLine(e.getMessage()), e);
        }
    }

    /** Tables, views, sequences not owned by a column, types and functions of schema public → the app role. */
    private static final String HAND_OVER_OBJECTS = """
            DO $$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                         AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                                  AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
              LOOP
                EXECUTE format('ALTER %s %s OWNER TO warmpool',
                  CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
              END LOOP;
              FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
                       WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r', 'c')
                         AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
              LOOP
                EXECUTE format('ALTER TYPE %s OWNER TO warmpool', r.name);
              END LOOP;
              FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
              LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO warmpool', r.name);
              END LOOP;
            END $$""";

    // ---- supervision ----

    private void exited(Process p) {
        synchronized (this) {
            if (closing || p != process) {
                return;
            }
            process = null;
            downSinceNanos = System.nanoTime();
            attempt = 0;
            health = new Health(State.RECOVERING, "embedded PostgreSQL exited (code " + p.exitValue() + "), restarting");
        }
        String lastLines;
        try {
            lastLines = tail(readFrom(stateDir.resolve(LOG_FILE), Math.max(0, Files.size(stateDir.resolve(LOG_FILE)) - 4096)), 3);
        } catch (IOException e) {
            lastLines = "(its log is unreadable: " + e.getMessage() + ")";
        }
        String why = lastLines;
        LOG.warn("the embedded PostgreSQL (pid " + p.pid() + ") exited unexpectedly with code " + p.exitValue()
                + "; restarting it (crash recovery). Last lines of its log: " + why);
        scheduleRestart(200);
    }

    private void scheduleRestart(long delayMillis) {
        ScheduledExecutorService s = supervisor;
        if (s == null || closing) {
            return;
        }
        try {
            s.schedule(this::restart, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void restart() {
        synchronized (this) {
            if (closing) {
                return;
            }
            attempt++;
            try {
                binaries.verify();
                stopOrphanedServer();
                writeHbaFile();
                launchAndWait();
                long downMs = (System.nanoTime() - downSinceNanos) / 1_000_000;
                int tries = attempt;
                health = new Health(State.UP, "embedded PostgreSQL up on 127.0.0.1:" + port);
                LOG.warn("the embedded PostgreSQL is back after " + downMs + " ms (attempt " + tries + ")");
                return;
            } catch (IOException | RuntimeException e) {
                long downNanos = System.nanoTime() - downSinceNanos;
                boolean failed = downNanos > options.recoveryTimeout().toNanos();
                String detail = "embedded PostgreSQL down for " + (downNanos / 1_000_000_000) + " s, restart attempt "
                        + attempt + " failed: " + firstLine(String.valueOf(e.getMessage()));
                health = new Health(failed ? State.FAILED : State.RECOVERING, detail);
                LOG.atLevel(failed ? org.slf4j.event.Level.ERROR : org.slf4j.event.Level.WARN).log(detail + (failed
                        ? "; the service reports itself unhealthy (/healthz) so that it can be restarted" : ""));
            }
        }
        scheduleRestart(Math.min(10_000, 500L << Math.min(attempt, 5)));
    }

    // ---- stop ----

    /** Stops the server (fast shutdown) and releases the state directory. Safe to call twice. */
    @Override
    public void close() {
        closing = true;
        ScheduledExecutorService s = supervisor;
        if (s != null) {
            s.shutdownNow();
        }
        synchronized (this) {
            supervisor = null;
            Process p = process;
            process = null;
            if (p != null && p.isAlive()) {
                stopProcess(p.toHandle(), p.pid());
            }
            health = new Health(State.STOPPED, "stopped");
            try {
                if (lock != null) {
                    lock.release();
                }
                if (lockChannel != null) {
                    lockChannel.close();
                }
            } catch (IOException e) {
                LOG.warn("could not release " + stateDir.resolve(LOCK_FILE) + ": " + e.getMessage());
            }
            lock = null;
            lockChannel = null;
        }
    }

    // ---- helpers ----

    /**
     * PostgreSQL refuses to run as root; as root, the binaries run in a new user namespace (as zonky's
     * embedded-postgres does), where they are an unprivileged user that still owns the state directory's files.
     */
    private static List<String> command(String... argv) {
        List<String> command = new ArrayList<>();
        if (FileModes.effectiveUid() == 0) {
            command.add(unshare());
            command.add("-U");
        }
        command.addAll(List.of(argv));
        return command;
    }

    private static String unshare() {
        return executable("unshare").orElseThrow(() -> new EmbeddedPostgresException("PostgreSQL does not run as root,"
                + " and `unshare` (util-linux), which lets it run in a user namespace, is not installed: run warmpool as"
                + " an ordinary user, or install util-linux"));
    }

    /** An executable of that name on the PATH, or in /usr/bin or /bin. */
    private static java.util.Optional<String> executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return java.util.Optional.of(p.toString());
            }
        }
        for (String dir : List.of("/usr/bin/", "/bin/")) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return java.util.Optional.of(dir + name);
            }
        }
        return java.util.Optional.empty();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, String stdin, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new EmbeddedPostgresException(command.get(command.size() - 1) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new EmbeddedPostgresException("interrupted", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void rotate(Path log) throws IOException {
        if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
            Files.move(log, log.resolveSibling(LOG_FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(log, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(PostgresBinaries.FILE_MODE));
        }
    }

    private static String readFrom(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (offset >= len) {
                return "";
            }
            f.seek(offset);
            byte[] b = new byte[(int) Math.min(len - offset, 64 * 1024)];
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join(" | ", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedPostgresException("interrupted while starting the embedded PostgreSQL", e);
        }
    }
}
