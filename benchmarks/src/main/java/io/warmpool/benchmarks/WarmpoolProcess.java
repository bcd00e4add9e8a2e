package io.warmpool.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code warmpool.jar} as a child process, as a user starts it: {@code java [jvm options] -jar
 * bootstrap/target/warmpool.jar ARGS} in the repository's root (so {@code examples/} resolves as for
 * {@code ./warmpool}), with no {@code WARMPOOL_*} variables of ours leaking in. Stderr, the log, is read line by line
 * for the {@link PassLine pass lines}, each stamped with its arrival; stdout (empty off a terminal) goes to a file.
 */
final class WarmpoolProcess implements AutoCloseable {

    /** A pass line and when it arrived, in nanoseconds since the process was started. */
    record Pass(PassLine line, long atNanos) {
        double seconds() {
            return atNanos / 1e9;
        }
    }

    /** How a stop went: seconds from SIGTERM to exit, the exit code, whether it had to be killed. */
    record Stopped(double seconds, int exitCode, boolean killed) {
    }

    private final Process process;
    private final long startedNanos;
    private final Path stderr;
    private final List<Pass> passes = new ArrayList<>();
    private final StringBuilder stdout = new StringBuilder();
    private final Thread reader;

    private WarmpoolProcess(Process process, long startedNanos, Path stderr) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.stderr = stderr;
        this.reader = new Thread(this::read, "warmpool-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** The jar the suite runs: {@code -Dbench.jar=…}, else {@code bootstrap/target/warmpool.jar}. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("bench.jar", "bootstrap/target/warmpool.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with `mvn -B -DskipTests package -pl bootstrap -am`"
                    + " (benchmarks/run does)");
        }
        return jar;
    }

    /** The java launcher of the JVM running the suite. */
    static String java(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    /** A TCP port free on the loopback right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code java jvmOptions -jar warmpool.jar args}; stdout goes to {@code stderrFile}, the log is read. */
    static WarmpoolProcess start(List<String> jvmOptions, List<String> args, Path stderrFile) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java("java"));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectOutput(stderrFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("WARMPOOL_"));
        long started = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close(); // no terminal, no input: the service prints one line per pass
        return new WarmpoolProcess(process, started, stderrFile);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long at = System.nanoTime() - startedNanos;
                Optional<PassLine> pass = PassLine.parse(line);
                synchronized (this) {
                    stdout.append(line).append('\n');
                    pass.ifPresent(p -> passes.add(new Pass(p, at)));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process went away; waiters see it exit
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Waits for the first pass, counting from {@code fromIndex}, that satisfies {@code wanted}.
     *
     * @return empty when the process exits or {@code timeout} passes first
     */
    synchronized Optional<Pass> awaitPass(int fromIndex, Predicate<PassLine> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = fromIndex;
        while (true) {
            for (; next < passes.size(); next++) {
                if (wanted.test(passes.get(next).line())) {
                    return Optional.of(passes.get(next));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    synchronized int passCount() {
        return passes.size();
    }

    synchronized List<Pass> passes() {
        return List.copyOf(passes);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Seconds since the process was started. */
    double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Stdout and stderr so far. */
    String output() {
        String log;
        try {
            log = Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log = "(stderr unreadable: " + e.getMessage() + ")";
        }
        synchronized (this) {
            return stdout + log;
        }
    }

    /** Whether stdout or stderr mention an {@code OutOfMemoryError}. */
    boolean outOfMemory() {
        return output().contains("OutOfMemoryError");
    }

    /** SIGTERM, as {@code kill} or a container runtime stops it; SIGKILL if it is still there after {@code timeout}. */
    Stopped stop(Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        reader.join(5_000);
        return new Stopped(seconds, process.exitValue(), !exited);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(60));
        }
    }

    /**
     * Whether the embedded PostgreSQL of {@code stateDir} still runs: PostgreSQL removes {@code postmaster.pid} when
     * it shuts down cleanly; if the file is still there, its first line is the postmaster's pid.
     */
    static boolean postgresRunning(Path stateDir) {
        Path pidFile = stateDir.resolve("pgdata").resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return false;
        }
        try {
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            return ProcessHandle.of(Long.parseLong(first)).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return true; // a pid file we cannot read: assume the worst
        }
    }

    /** Stops (SIGTERM) an embedded PostgreSQL of {@code stateDir} that outlived its service, so no run leaks one. */
    static void stopLeftoverPostgres(Path stateDir) {
        Path pidFile = stateDir.resolve("pgdata").resolve("postmaster.pid");
        try {
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            ProcessHandle.of(Long.parseLong(first)).ifPresent(ProcessHandle::destroy);
        } catch (IOException | NumberFormatException e) {
            // nothing we can identify to stop
        }
    }

    /** Runs a tool to completion (jcmd), returning its output; fails on a non-zero exit. */
    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text);
        }
        return text;
    }

    /** Deletes a directory tree; best effort. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
