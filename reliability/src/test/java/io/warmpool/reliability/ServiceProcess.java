package io.warmpool.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service replica under test: {@code java -jar bootstrap/target/warmpool.jar run …} in a JVM of its own,
 * with its stdout and stderr captured to files under its directory ({@code <name>-<n>.out}/{@code .err}, one
 * pair per start, kept after the run). The same object can be started again after a stop or a kill, with the
 * same settings: that is a restart of the replica.
 *
 * <p>The API listens on a free port ({@code --http-addr 127.0.0.1:0}), read from the service's
 * "API listening on" log line. The log (stderr) is one line per record, each with its instant (README "Logs").
 *
 * <p>{@link #kill()} is SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook runs, children
 * the service started (command provisioner scripts) are orphaned. {@link #stop()} is SIGTERM: the service's
 * clean shutdown.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The bearer token every replica of a test shares (given as {@code WARMPOOL_TOKEN}). */
    public static final String TOKEN = "reliability-api-token-0123456789abcdef";

    private static final Pattern LISTENING = Pattern.compile("API listening on http://(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Path dir;
    private final Map<String, String> settings;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final List<Path> stdouts = new ArrayList<>();
    private final List<Path> stderrs = new ArrayList<>();
    private Process process;
    private String address;
    private int starts;

    private ServiceProcess(Builder b) {
        this.name = b.name;
        this.dir = b.dir;
        this.settings = new LinkedHashMap<>(b.settings);
        this.env = new LinkedHashMap<>(b.env);
        this.jvmArgs = List.copyOf(b.jvmArgs);
    }

    /** A replica named {@code name} (also its database {@code ApplicationName}), working and logging under {@code dir/name}. */
    public static Builder builder(String name, Path dir) {
        return new Builder(name, dir);
    }

    /** Settings of a replica; every setting is given as its flag {@code --key value}. */
    public static final class Builder {
        private final String name;
        private final Path dir;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));

        private Builder(String name, Path dir) {
            if (!name.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("a replica name is [a-z][a-z0-9-]*, got " + name);
            }
            this.name = name;
            this.dir = dir.resolve(name);
            env.put("WARMPOOL_TOKEN", TOKEN);
            settings.put("http-addr", "127.0.0.1:0");
            settings.put("state-dir", this.dir.resolve("state").toString());
        }

        /** {@code --key value}, e.g. {@code setting("reconcile-interval", "200ms")}. */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** The presets file and the simulated provisioner with its configuration file, the common setup. */
        public Builder simulated(Path presets, Path simulatedConfig) {
            return setting("presets", presets.toString()).setting("provisioner", "simulated")
                    .setting("simulated-config", simulatedConfig.toString());
        }

        /** An environment variable of the service (the test JVM's own {@code WARMPOOL_*} are never inherited). */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** The external database: {@code --db-url} (with this replica's ApplicationName), {@code --db-user}, password in the environment. */
        public Builder database(SharedDatabase.Database db) {
            settings.put("db-url", db.jdbcUrl(name));
            settings.put("db-user", db.user());
            env.put("WARMPOOL_DB_PASSWORD", db.password());
            return this;
        }

        /** Builds without starting. */
        public ServiceProcess build() {
            return new ServiceProcess(this);
        }

        /** Builds and starts (does not wait for readiness). */
        public ServiceProcess start() {
            ServiceProcess p = build();
            p.start();
            return p;
        }
    }

    public String name() {
        return name;
    }

    /** Starts the service (again). Fails if it is running. */
    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        try {
            Files.createDirectories(dir);
            starts++;
            Path out = dir.resolve(name + "-" + starts + ".out");
            Path err = dir.resolve(name + "-" + starts + ".err");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(Logs.jar().toString());
            command.add("run");
            settings.forEach((k, v) -> {
                command.add("--" + k);
                command.add(v);
            });
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("WARMPOOL_"));
            pb.environment().putAll(env);
            stdouts.add(out);
            stderrs.add(err);
            address = null;
            process = pb.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /**
     * Waits until the API answers {@code /readyz} with 200.
     *
     * @throws IllegalStateException with the tail of the log if the process exits or the time runs out
     */
    public ServiceProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = current();
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + " before it was ready:\n" + tail());
            }
            if (address == null) {
                Matcher m = LISTENING.matcher(read(stderrs.get(stderrs.size() - 1)));
                if (m.find()) {
                    address = m.group(1);
                }
            }
            if (address != null) {
                try {
                    if (get("/readyz").statusCode() == 200) {
                        return this;
                    }
                } catch (UncheckedIOException e) {
                    // not listening yet
                }
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail());
    }

    /** SIGKILL; waits for the JVM to be gone. Returns its exit code (137). */
    public synchronized int kill() {
        Process p = current();
        p.destroyForcibly();
        return waitFor(p, Duration.ofSeconds(30));
    }

    /** SIGTERM, the service's clean shutdown; waits up to {@code timeout}, then SIGKILL and fails. Returns the exit code. */
    public synchronized int stop(Duration timeout) {
        Process p = current();
        p.destroy();
        try {
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        waitFor(p, Duration.ofSeconds(30));
        throw new IllegalStateException(name + " did not stop within " + timeout + " of SIGTERM:\n" + tail());
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** The pid of the running JVM. */
    public synchronized long pid() {
        return current().pid();
    }

    /** How many times this replica was started. */
    public synchronized int starts() {
        return starts;
    }

    /** {@code http://127.0.0.1:PORT} of the running process (after {@link #awaitReady}). */
    public synchronized String baseUrl() {
        if (address == null) {
            throw new IllegalStateException(name + " is not ready");
        }
        return "http://" + address;
    }

    /** The stdout of every start, in order, as lines. */
    public List<String> stdoutLines() {
        List<String> lines = new ArrayList<>();
        for (Path p : List.copyOf(stdouts)) {
            lines.addAll(read(p).lines().toList());
        }
        return lines;
    }

    /** The stderr (the log, the pass records among it) of every start, in order, as lines. */
    public List<String> stderrLines() {
        List<String> lines = new ArrayList<>();
        for (Path p : List.copyOf(stderrs)) {
            lines.addAll(read(p).lines().toList());
        }
        return lines;
    }

    /** The stderr (the log) of every start, concatenated. */
    public String stderr() {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.copyOf(stderrs)) {
            sb.append(read(p));
        }
        return sb.toString();
    }

    /** Every file this replica wrote its output to. */
    public List<Path> logFiles() {
        List<Path> all = new ArrayList<>(stdouts);
        all.addAll(stderrs);
        return all;
    }

    // ---- the REST API, with the shared token

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
    }

    public HttpResponse<String> post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    public HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).DELETE());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(30));
        }
        stopOrphanedEmbeddedDatabase();
    }

    /**
     * A replica on its embedded database that was killed (here or by the test) leaves that PostgreSQL running, as
     * a real SIGKILL would; the next start of the replica stops it, but after the test nobody would. Stopped here so
     * that no test leaves servers behind.
     */
    private void stopOrphanedEmbeddedDatabase() {
        if (settings.containsKey("db-url")) {
            return;
        }
        Path pidFile = Path.of(settings.get("state-dir"), "pgdata", "postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients are gone
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        } catch (IOException | RuntimeException e) {
            // best effort: the state dir may be gone or the file torn
        }
    }

    /** The last lines of this start's stdout and stderr, for failure messages. */
    public String tail() {
        StringBuilder sb = new StringBuilder();
        if (!stdouts.isEmpty()) {
            sb.append("--- ").append(stdouts.get(stdouts.size() - 1)).append('\n')
                    .append(lastLines(read(stdouts.get(stdouts.size() - 1)), 20));
            sb.append("--- ").append(stderrs.get(stderrs.size() - 1)).append('\n')
                    .append(lastLines(read(stderrs.get(stderrs.size() - 1)), 40));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + (alive() ? " (pid " + process.pid() + ")" : " (not running)");
    }

    private Process current() {
        return Objects.requireNonNull(process, () -> name + " was never started");
    }

    private static int waitFor(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("process " + p.pid() + " did not exit within " + timeout);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size())) + "\n";
    }

    private static String read(Path p) {
        try {
            // Decoded leniently: the file may end in the middle of a character while the service writes it.
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
