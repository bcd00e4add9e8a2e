package io.warmpool.benchmarks;

import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks of SPEC §6 and prints one table: target, measured, baseline, ratio, verdict.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--quick] [--only domain,enqueue,claims,rest,workers,snapshot,service,startup,simulate,autoscale]
 * </pre>
 * {@code autoscale} (issue 17's evaluation, {@link AutoscaleEvaluation}: about twenty three-week simulations) runs
 * only when named. The process sections ({@code service}, {@code startup}, {@code simulate}, {@code autoscale}) run
 * {@code bootstrap/target/warmpool.jar}
 * (or {@code -Dbench.jar=…}) from the current directory, which must be the repository's root.
 */
public final class BenchmarkMain {

    static final List<String> ALL = List.of("domain", "enqueue", "claims", "rest", "workers", "snapshot", "service", "startup", "simulate");

    /** Every section: {@link #ALL}, the default, and those that run only when named. */
    static final List<String> KNOWN = List.of("domain", "enqueue", "claims", "rest", "workers", "snapshot", "service",
            "startup", "simulate", "autoscale");

    /** The sections that run the real {@code warmpool.jar} as a child process, not the embedded benchmark database. */
    static final List<String> PROCESS = List.of("service", "startup", "simulate", "autoscale");

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Set<String> only = new LinkedHashSet<>(ALL);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> {
                    only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                    if (!KNOWN.containsAll(only)) {
                        throw new IllegalArgumentException("--only takes a subset of " + KNOWN + ", got " + only);
                    }
                }
                case "-h", "--help" -> {
                    System.out.println("usage: benchmarks/run [--quick] [--only " + String.join(",", KNOWN) + "]"
                            + " (autoscale, issue 17's evaluation, runs only when named: about 20 minutes)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ResultTable table = new ResultTable();
        if (only.contains("domain")) {
            runDomain(quick, table);
        }
        Set<String> db = new LinkedHashSet<>(only);
        db.remove("domain");
        db.removeAll(PROCESS);
        if (!db.isEmpty()) {
            DatabaseBenchmarks.run(db, quick, table);
        }
        for (String name : PROCESS) {
            if (only.contains(name)) {
                runProcess(name, table);
            }
        }
        System.out.println();
        System.out.println(table.render());
    }

    /** One process section; a failure is a row of the table, and the other sections still run. */
    static void runProcess(String name, ResultTable table) {
        log("== " + name);
        try {
            switch (name) {
                case "service" -> ServiceBenchmark.run(table);
                case "startup" -> StartupBenchmark.run(table);
                case "simulate" -> SimulateBenchmark.run(table);
                case "autoscale" -> AutoscaleEvaluation.run(table);
                default -> throw new IllegalArgumentException(name);
            }
        } catch (Exception e) {
            log(name + " FAILED: " + e);
            e.printStackTrace();
            table.add(new Row(name + " — FAILED: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()),
                    Kind.AT_MOST, 0, Double.NaN, Double.NaN, ""));
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    static void runDomain(boolean quick, ResultTable table) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(DomainBenchmarks.class.getName() + "\\.")
                .forks(1)
                .jvmArgsAppend("-Xmx2g")
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2));
        Collection<RunResult> results = new Runner(options.build()).run();
        List<RunResult> sorted = new ArrayList<>(results);
        if (sorted.stream().noneMatch(r -> r.getParams().getBenchmark().endsWith(".planPass"))) {
            table.add(new Row("plan, 100k presets / ~1M prebuilds, 1 thread (JMH) — FAILED TO RUN",
                    Kind.AT_LEAST, 1_000_000, Double.NaN, Double.NaN, "presets/s"));
        }
        for (RunResult r : sorted) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            double score = r.getPrimaryResult().getScore();
            switch (method) {
                case "planPass" -> table.add(new Row("plan, 100k presets / ~1M prebuilds, 1 thread (JMH)",
                        Kind.AT_LEAST, 1_000_000, score, Double.NaN, "presets/s"));
                case "backoffExponential" -> table.add(new Row("backoff delay, exponential + full jitter (JMH)",
                        Kind.INFO, Double.NaN, score, Double.NaN, "delays/s"));
                case "backoffLinear" -> table.add(new Row("backoff delay, linear + equal jitter (JMH)",
                        Kind.INFO, Double.NaN, score, Double.NaN, "delays/s"));
                case "scheduleWindowAt" -> table.add(new Row("schedule windowAt, 3 windows, DST zone (JMH)",
                        Kind.INFO, Double.NaN, score, Double.NaN, "lookups/s"));
                default -> table.add(new Row(method + " (JMH)", Kind.INFO, Double.NaN, score, Double.NaN, "ops/s"));
            }
        }
    }
}
