package io.warmpool.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the machine's {@code pgbench} (Debian: {@code apt-get install -y postgresql-contrib}; or set {@code PGBENCH})
 * against the benchmark's own server, with a custom script, and reads back its transactions per second.
 */
final class Pgbench {

    record Result(double tps, double latencyMeanMs, long transactions, String output) {
    }

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    private Pgbench(String host, int port, String database, String user, String password) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** From a {@code jdbc:postgresql://host:port/db?...} URL. */
    static Pgbench forJdbcUrl(String jdbcUrl, String user, String password) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new Pgbench(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password);
    }

    static String binary() {
        String env = System.getenv("PGBENCH");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String candidate : List.of("/usr/bin/pgbench", "/usr/local/bin/pgbench")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("pgbench not found: on Debian/Ubuntu run `apt-get install -y postgresql-contrib`"
                + " (or postgresql-client), or set PGBENCH to its path");
    }

    Result run(String script, int clients, int seconds) throws IOException, InterruptedException {
        Path file = Files.createTempFile("warmpool-bench", ".sql");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            return parse(execute(file, clients, seconds, List.of()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs pgbench on {@code scriptFile} (with {@code extra} options) and answers its output; fails unless it exits 0. */
    private String execute(Path scriptFile, int clients, int seconds, List<String> extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary(), "-n", "-h", host, "-p", Integer.toString(port),
                "-U", user, "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
                "-T", Integer.toString(seconds), "-M", "prepared"));
        command.addAll(extra);
        command.addAll(List.of("-f", scriptFile.toString(), database));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The password through the environment, never on the command line (every user sees that in ps).
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("pgbench failed (exit " + exit + "):\n" + output);
        }
        return output;
    }

    /** A run with every transaction's latency logged ({@code -l}): its result and the latency percentiles. */
    record Logged(Result result, double p50Ms, double p99Ms) {
    }

    /** As {@link #run}, also logging each transaction's latency, so that the baseline has percentiles too. */
    Logged runLogged(String script, int clients, int seconds) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("warmpool-pgbench");
        Path file = dir.resolve("script.sql");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            String output = execute(file, clients, seconds, List.of("-l", "--log-prefix", dir.resolve("log").toString()));
            // One line per transaction: client_id transaction_no latency_us script_no epoch epoch_us
            List<Long> micros = new ArrayList<>();
            try (var logs = Files.list(dir)) {
                for (Path log : (Iterable<Path>) logs.filter(p -> p.getFileName().toString().startsWith("log"))::iterator) {
                    for (String line : Files.readAllLines(log)) {
                        String[] f = line.split(" ");
                        if (f.length >= 3) {
                            micros.add(Long.parseLong(f[2]));
                        }
                    }
                }
            }
            long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            double p50 = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2] / 1e3;
            double p99 = sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e3;
            return new Logged(parse(output), p50, p99);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: ([0-9]+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: ([0-9]+)");

    static Result parse(String output) {
        Matcher tps = TPS.matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("no tps in pgbench output:\n" + output);
        }
        Matcher latency = LATENCY.matcher(output);
        Matcher processed = PROCESSED.matcher(output);
        Matcher failed = FAILED.matcher(output);
        if (failed.find() && Long.parseLong(failed.group(1)) > 0) {
            throw new IllegalStateException("pgbench transactions failed:\n" + output);
        }
        return new Result(Double.parseDouble(tps.group(1)),
                latency.find() ? Double.parseDouble(latency.group(1)) : Double.NaN,
                processed.find() ? Long.parseLong(processed.group(1)) : -1, output);
    }
}
