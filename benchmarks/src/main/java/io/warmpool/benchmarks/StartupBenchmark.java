package io.warmpool.benchmarks;

import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SPEC §6 "{@code ./warmpool run} to first pass, embedded database, jar built ≤ 10 s": the jar started as
 * {@code ./warmpool run} starts it (the launcher's staleness check aside), in the repository's root, with the
 * defaults — embedded PostgreSQL, simulated provisioner, examples/presets.yaml — on a new state directory and a
 * free port, timed until its first pass line arrives. Cold: a new state directory (unpack PostgreSQL, initdb,
 * migrations, apply the example presets) — what a new user sees, and what the target judges. Warm: the same
 * directory again. Each is stopped with SIGTERM; afterwards the embedded PostgreSQL must be gone.
 */
final class StartupBenchmark {

    static final Duration FIRST_PASS_LIMIT = Duration.ofSeconds(120);

    private StartupBenchmark() {
    }

    record Start(double firstPassSeconds, WarmpoolProcess.Stopped stopped, boolean postgresLeft) {
    }

    static void run(ResultTable table) throws Exception {
        Path dir = Files.createTempDirectory("warmpool-bench-startup");
        try {
            Path state = dir.resolve("state");
            Start cold = start(state, dir.resolve("cold.log"), "cold");
            Start warm = start(state, dir.resolve("warm.log"), "warm");
            table.add(new Row("`warmpool run` to first pass, cold: new state dir (unpack PostgreSQL, initdb, migrations,"
                    + " examples/presets.yaml)", Kind.AT_MOST, 10, cold.firstPassSeconds(), Double.NaN, "s"));
            table.add(new Row("`warmpool run` to first pass, warm: existing state dir", Kind.INFO, Double.NaN,
                    warm.firstPassSeconds(), Double.NaN, "s"));
            table.add(new Row("`warmpool run` stop on SIGTERM, cold / warm run (" + seconds(cold.stopped().seconds())
                    + " s / " + seconds(warm.stopped().seconds()) + " s; exit " + cold.stopped().exitCode() + " / "
                    + warm.stopped().exitCode() + ")", Kind.INFO, Double.NaN,
                    Math.max(cold.stopped().seconds(), warm.stopped().seconds()), Double.NaN, "s"));
            int left = (cold.postgresLeft() ? 1 : 0) + (warm.postgresLeft() ? 1 : 0)
                    + (cold.stopped().killed() ? 1 : 0) + (warm.stopped().killed() ? 1 : 0);
            table.add(new Row("`warmpool run` after SIGTERM: embedded PostgreSQL still running, or service killed",
                    Kind.AT_MOST, 0, left, Double.NaN, "processes"));
        } finally {
            WarmpoolProcess.deleteTree(dir);
        }
    }

    private static Start start(Path state, Path log, String name) throws Exception {
        int port = WarmpoolProcess.freePort();
        List<String> args = List.of("run", "--state-dir", state.toString(), "--http-addr", "127.0.0.1:" + port);
        BenchmarkMain.log("startup, " + name + ": warmpool.jar " + String.join(" ", args));
        try (WarmpoolProcess p = WarmpoolProcess.start(List.of(), args, log)) {
            Optional<WarmpoolProcess.Pass> first = p.awaitPass(0, line -> true, FIRST_PASS_LIMIT);
            if (first.isEmpty()) {
                throw new IllegalStateException("no pass within " + FIRST_PASS_LIMIT + " (alive: " + p.alive() + "):\n"
                        + tail(p.output()));
            }
            double seconds = first.get().seconds();
            WarmpoolProcess.Stopped stopped = p.stop(Duration.ofSeconds(60));
            boolean postgresLeft = WarmpoolProcess.postgresRunning(state);
            if (postgresLeft) {
                WarmpoolProcess.stopLeftoverPostgres(state);
            }
            BenchmarkMain.log(String.format(Locale.ROOT, "startup, %s: first pass after %.2f s (%s); SIGTERM -> exit %d in %.2f s%s%s",
                    name, seconds, first.get().line(), stopped.exitCode(), stopped.seconds(),
                    stopped.killed() ? ", KILLED after the timeout" : "", postgresLeft ? ", embedded PostgreSQL STILL RUNNING" : ""));
            return new Start(seconds, stopped, postgresLeft);
        }
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f", s);
    }

    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
