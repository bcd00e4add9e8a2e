package io.warmpool.benchmarks;

import io.warmpool.benchmarks.ResultTable.Kind;
import io.warmpool.benchmarks.ResultTable.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * SPEC §6 "service at 10k presets runs in {@code -Xmx256m}": {@code warmpool.jar run} with {@code -Xmx256m}, a
 * generated file of 10,000 presets (100 templates × 100, 2 prebuilds each: 20,000 prebuilds), the simulated
 * provisioner with 10–50 ms creates, 8 workers, a pending cap above 20,000 and 5 s passes, on a new embedded
 * database. It waits until a pass reports every pool full, then for two more full passes, forces a full GC
 * ({@code jcmd <pid> GC.run}) and reads the heap left after it from the GC log ({@code -Xlog:gc}), and
 * {@code jvm_memory_used_bytes{area="heap"}} from {@code /metrics} (which also counts what was allocated since). Met:
 * no OutOfMemoryError, the process alive, the pools filled and passes completed; the heap figure is printed.
 * The largest heap left after any collection while the pools filled comes from {@code -Xlog:gc}.
 */
final class ServiceBenchmark {

    static final int TEMPLATES = 100;
    static final int PRESETS_PER_TEMPLATE = 100;
    static final int INSTANCES = 2;
    static final String HEAP = "256m";
    static final double HEAP_MB = 256;
    /** The pools filled in ≈ 100 s at load 6 and 345 s at load 15–18 on 2 cores. */
    static final Duration FILL_LIMIT = Duration.ofMinutes(10);

    private ServiceBenchmark() {
    }

    static void run(ResultTable table) throws Exception {
        int presets = TEMPLATES * PRESETS_PER_TEMPLATE;
        int prebuilds = presets * INSTANCES;
        String what = String.format(Locale.ROOT, "service, %,d presets / %,d prebuilds, -Xmx%s", presets, prebuilds, HEAP);
        Path dir = Files.createTempDirectory("warmpool-bench-service");
        Path state = dir.resolve("state");
        try {
            Path presetsFile = dir.resolve("presets-10k.yaml");
            Files.writeString(presetsFile, PresetsFile.yaml(TEMPLATES, PRESETS_PER_TEMPLATE, INSTANCES), StandardCharsets.UTF_8);
            Path simulated = dir.resolve("simulated-provisioner.yaml");
            Files.writeString(simulated, "create_latency: {min: 10ms, max: 50ms}\ndelete_latency: 10ms\n", StandardCharsets.UTF_8);
            Path gcLog = dir.resolve("gc.log");
            int port = WarmpoolProcess.freePort();
            List<String> jvm = List.of("-Xmx" + HEAP, "-Xlog:gc:file=" + gcLog);
            List<String> args = List.of("run", "--state-dir", state.toString(), "--http-addr", "127.0.0.1:" + port,
                    "--presets", presetsFile.toString(), "--simulated-config", simulated.toString(), "--workers", "8",
                    "--max-pending-jobs", Integer.toString(prebuilds + 1000), "--reconcile-interval", "5s", "--seed", "1");
            BenchmarkMain.log("service: java " + String.join(" ", jvm) + " -jar warmpool.jar " + String.join(" ", args));

            List<String> problems = new ArrayList<>();
            double filledAt = Double.NaN;
            double liveMb = Double.NaN;
            double heapMb = Double.NaN;
            double committedMb = Double.NaN;
            int passes;
            long lastPassMillis = -1;
            WarmpoolProcess.Stopped stopped;
            try (WarmpoolProcess p = WarmpoolProcess.start(jvm, args, dir.resolve("service.log"))) {
                Optional<WarmpoolProcess.Pass> full = p.awaitPass(0, line -> line.full() && line.desired() == prebuilds, FILL_LIMIT);
                if (full.isEmpty()) {
                    List<WarmpoolProcess.Pass> seen = p.passes();
                    problems.add(seen.isEmpty() ? "no pass completed"
                            : "pools not full after " + FILL_LIMIT.toMinutes() + " min (last pass: " + seen.get(seen.size() - 1).line() + ")");
                } else {
                    filledAt = full.get().seconds();
                    BenchmarkMain.log(String.format(Locale.ROOT, "service: pools full after %.1f s (%s)", filledAt, full.get().line()));
                    // Two more full passes in steady state, then the heap after a full GC.
                    int after = p.passes().indexOf(full.get()) + 1;
                    Optional<WarmpoolProcess.Pass> steady = p.awaitPass(after + 1, line -> line.presets() == presets, Duration.ofSeconds(60));
                    if (steady.isEmpty()) {
                        problems.add("no full pass after the pools filled");
                    } else {
                        lastPassMillis = steady.get().line().tookMillis();
                    }
                }
                if (p.alive()) {
                    WarmpoolProcess.run(List.of(WarmpoolProcess.java("jcmd"), Long.toString(p.pid()), "GC.run"), Duration.ofSeconds(60));
                    OptionalLong afterFull = ProcessOutputs.heapAfterLastFullGc(read(gcLog));
                    liveMb = afterFull.isPresent() ? afterFull.getAsLong() / (double) (1 << 20) : Double.NaN;
                    if (afterFull.isEmpty()) {
                        problems.add("no full GC in " + gcLog.getFileName() + " after jcmd GC.run");
                    }
                    String metrics = get("http://127.0.0.1:" + port + "/metrics");
                    OptionalDouble used = ProcessOutputs.prometheus(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
                    OptionalDouble committed = ProcessOutputs.prometheus(metrics, "jvm_memory_committed_bytes", "area=\"heap\"");
                    heapMb = used.isPresent() ? used.getAsDouble() / (1 << 20) : Double.NaN;
                    committedMb = committed.isPresent() ? committed.getAsDouble() / (1 << 20) : Double.NaN;
                    if (used.isEmpty()) {
                        problems.add("/metrics has no jvm_memory_used_bytes{area=\"heap\"}");
                    }
                } else {
                    problems.add("the process died");
                }
                if (p.outOfMemory()) {
                    problems.add("OutOfMemoryError");
                }
                passes = p.passCount();
                BenchmarkMain.log("service: " + passes + " passes; heap after a full GC " + mb(liveMb) + " MB; /metrics then: heap used "
                        + mb(heapMb) + " MB, committed " + mb(committedMb) + " MB" + (problems.isEmpty() ? "" : "; PROBLEMS: " + problems));
                if (!problems.isEmpty()) {
                    BenchmarkMain.log("service: last output:\n" + StartupBenchmark.tail(p.output()));
                }
                stopped = p.stop(Duration.ofSeconds(60));
            }
            if (WarmpoolProcess.postgresRunning(state)) {
                problems.add("embedded PostgreSQL still running after SIGTERM");
                WarmpoolProcess.stopLeftoverPostgres(state);
            }
            String gc = read(gcLog);
            OptionalLong peak = ProcessOutputs.largestHeapAfterGc(gc);
            int fullGcs = ProcessOutputs.fullCollections(gc);

            boolean met = problems.isEmpty();
            table.add(new Row(what + ": heap used after the pools filled, 2 full passes and a full GC (GC log)"
                    + (met ? " (no OOM, alive, " + passes + " passes)" : " — FAILED: " + String.join("; ", problems)),
                    Kind.AT_MOST, HEAP_MB, met ? liveMb : Double.NaN, Double.NaN, "MB"));
            table.add(new Row(what + ": jvm_memory_used_bytes{area=\"heap\"} on /metrics just after that GC (committed "
                    + mb(committedMb) + " MB)", Kind.INFO, Double.NaN, heapMb, Double.NaN, "MB"));
            table.add(new Row(what + ": largest heap left after any GC during the run (" + fullGcs + " full GCs)",
                    Kind.INFO, Double.NaN, peak.isPresent() ? peak.getAsLong() / (double) (1 << 20) : Double.NaN, Double.NaN, "MB"));
            table.add(new Row(what + ": pools full (" + String.format(Locale.ROOT, "%,d", prebuilds) + " eligible) after start",
                    Kind.INFO, Double.NaN, filledAt, Double.NaN, "s"));
            table.add(new Row(what + ": a full pass, steady state (its took=)", Kind.INFO, Double.NaN,
                    lastPassMillis < 0 ? Double.NaN : lastPassMillis, Double.NaN, "ms"));
            table.add(new Row(what + ": stop on SIGTERM (exit " + stopped.exitCode() + (stopped.killed() ? ", killed" : "") + ")",
                    Kind.INFO, Double.NaN, stopped.seconds(), Double.NaN, "s"));
        } finally {
            WarmpoolProcess.deleteTree(dir);
        }
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static String get(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static String mb(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
    }
}
