package io.warmpool.benchmarks;

import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * SPEC §6 "simulate 100 presets × 24 h virtual ≤ 60 s wall": the real jar, as documented in docs/benchmarks.md,
 * <pre>
 * java -jar bootstrap/target/warmpool.jar simulate --presets benchmarks/simulate/presets-100.yaml \
 *   --scenario benchmarks/simulate/scenario-100.yaml --duration 24h --output json
 * </pre>
 * timed from process start to exit (JVM start, a fresh embedded PostgreSQL, the run, its cleanup), next to the
 * run's own {@code wallMillis}.
 */
final class SimulateBenchmark {

    static final String PRESETS = "benchmarks/simulate/presets-100.yaml";
    static final String SCENARIO = "benchmarks/simulate/scenario-100.yaml";

    /** How long {@code simulate} may take before the suite gives up. */
    static final Duration LIMIT = Duration.ofMinutes(10);

    private SimulateBenchmark() {
    }

    static void run(ResultTable table) throws Exception {
        Path dir = Files.createTempDirectory("warmpool-bench-simulate");
        try {
            Path out = dir.resolve("summary.json");
            Path err = dir.resolve("simulate.log");
            List<String> command = List.of(WarmpoolProcess.java("java"), "-jar", WarmpoolProcess.jar().toString(),
                    "simulate", "--presets", PRESETS, "--scenario", SCENARIO, "--duration", "24h", "--output", "json");
            BenchmarkMain.log("simulate: " + String.join(" ", command.subList(1, command.size())));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("simulate did not finish in " + LIMIT);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            String json = Files.readString(out, StandardCharsets.UTF_8);
            OptionalLong inside = ProcessOutputs.simulateWallMillis(json);
            if (p.exitValue() != 0 || inside.isEmpty()) {
                throw new IllegalStateException("simulate failed (exit " + p.exitValue() + "):\n" + tail(err));
            }
            int presets = ProcessOutputs.simulatePresets(json);
            BenchmarkMain.log(String.format(java.util.Locale.ROOT, "simulate: %.1f s wall, %.1f s inside the run, %d presets, %s simulated",
                    wall, inside.getAsLong() / 1000.0, presets, ProcessOutputs.simulated(json)));
            table.add(new Row("simulate " + presets + " presets × " + ProcessOutputs.simulated(json)
                    + " virtual, whole process (JVM, fresh embedded PostgreSQL, run, cleanup)",
                    Kind.AT_MOST, 60, wall, Double.NaN, "s"));
            table.add(new Row("simulate: the run itself (its wallMillis)", Kind.INFO, Double.NaN,
                    inside.getAsLong() / 1000.0, Double.NaN, "s"));
        } finally {
            WarmpoolProcess.deleteTree(dir);
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (java.io.IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }
}
