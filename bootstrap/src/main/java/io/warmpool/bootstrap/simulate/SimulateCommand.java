package io.warmpool.bootstrap.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.application.port.out.Event;
import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.logging.Logs;
import io.warmpool.bootstrap.wiring.EmbeddedDatabaseModule;
import io.warmpool.bootstrap.wiring.ExternalDatabaseModule;
import io.warmpool.domain.Durations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code simulate}: days of operation in seconds, in virtual time, for capacity planning. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Run the real reconciler, workers and database adapter in virtual time with the simulated provisioner.",
                "Same presets, scenario and seed give a byte-identical events file."})
public final class SimulateCommand implements Callable<Integer> {

    /** Connections of a run's database: one thread runs the whole simulation. */
    private static final int DB_POOL = 4;
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    @Spec
    CommandSpec spec;

    @Option(names = "--presets", required = true, paramLabel = "FILE", description = "presets file (YAML)")
    Path presets;

    @Option(names = "--scenario", required = true, paramLabel = "FILE", description = "scenario file (YAML): start, provisioner, claims, config")
    Path scenario;

    @Option(names = "--duration", paramLabel = "DURATION", description = "virtual time to simulate (default: 24h)")
    String duration = "24h";

    @Option(names = "--seed", paramLabel = "N", description = "random seed (default: 0)")
    long seed;

    @Option(names = "--measure-from", paramLabel = "DURATION", description = "measure the summary from this far into the run"
            + " (default: 0, the whole run), leaving a warm-up out: e.g. --duration 21d --measure-from 14d measures week 3")
    String measureFrom = "0s";

    @Option(names = "--events", paramLabel = "FILE", description = "write every event as one JSON object per line")
    Path eventsFile;

    @Option(names = "--chart", paramLabel = "FILE", description = "write an SVG chart of eligible and desired per preset")
    Path chartFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json")
    String output = "table";

    @Option(names = "--db-url", paramLabel = "JDBC_URL", description = "simulate on this (empty) PostgreSQL instead of a fresh embedded one")
    String dbUrl;

    @Override
    public Integer call() throws Exception {
        Duration length;
        try {
            length = Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--duration: " + e.getMessage());
        }
        if (length.isZero() || length.compareTo(Duration.ofDays(366)) > 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be more than 0 and at most 366d");
        }
        Duration warmUp;
        try {
            warmUp = Durations.parse(measureFrom);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--measure-from: " + e.getMessage());
        }
        if (warmUp.compareTo(length) >= 0) {
            throw new ParameterException(spec.commandLine(), "--measure-from must be shorter than --duration ("
                    + Durations.format(length) + ")");
        }
        if (!output.equals("table") && !output.equals("json")) {
            throw new ParameterException(spec.commandLine(), "--output must be table or json");
        }
        String yaml = read(presets);
        Scenario sc = Scenario.read(scenario);
        Logs.quietSimulatedOutcomes();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        Simulation.Result result;
        if (dbUrl != null) {
            result = new Simulation(sc, yaml, presets.toString(), length, seed, err::println)
                    .run(new ExternalDatabaseModule(dbUrl, null, null, DB_POOL));
        } else {
            try (SimulationDir dir = SimulationDir.open()) {
                result = new Simulation(sc, yaml, presets.toString(), length, seed, err::println)
                        .run(new EmbeddedDatabaseModule(dir.path(), DB_POOL, EmbeddedPostgresServer.Options.THROWAWAY));
            }
        }
        long wallMs = (System.nanoTime() - started) / 1_000_000;
        if (eventsFile != null) {
            writeEvents(result.events(), eventsFile);
        }
        Summary summary = Summary.of(result, result.start().plus(warmUp));
        if (chartFile != null) {
            Files.writeString(chartFile, SvgChart.render(summary, result.start(), result.end()), StandardCharsets.UTF_8);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(summary, wallMs)));
        } else {
            out.print(table(summary, wallMs));
        }
        out.flush();
        return 0;
    }

    private String read(Path file) {
        try {
            return TextInput.readFile(file, TextInput.MAX_PRESETS_BYTES);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read: " + TextInput.reason(e)));
        } catch (TextInput.RefusedException e) {
            throw new ConfigException(List.of(e.getMessage()));
        }
    }

    /** One JSON object per line: t, type, preset, workspace, then the event's details. */
    static void writeEvents(List<Event> events, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                if (!Summary.isSpecType(e.type())) {
                    continue;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("t", e.at().toString());
                line.put("type", e.type().wire());
                line.put("preset", e.preset().template() + "/" + e.preset().preset());
                line.put("workspace", e.workspace() == null ? null : e.workspace().text());
                line.putAll(e.details());
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
        }
    }

    private static Map<String, Object> json(Summary summary, long wallMs) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("simulated", Durations.format(summary.simulated()));
        root.put("measuredFrom", summary.from().toString());
        root.put("wallMillis", wallMs);
        List<Map<String, Object>> presets = new ArrayList<>();
        for (Summary.PresetSummary p : summary.presets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("preset", p.preset());
            m.put("claimsServed", p.claimsServed());
            m.put("claimsMissed", p.claimsMissed());
            m.put("hitRate", round(p.hitRate()));
            m.put("meanEligible", round(p.meanEligible()));
            m.put("minEligible", p.minEligible());
            m.put("idlePrebuildHours", round(p.idlePrebuildHours()));
            m.put("creates", p.creates());
            m.put("failures", p.failures());
            m.put("timeInBackoff", Durations.format(p.timeInBackoff()));
            m.put("hardLimitedAt", p.hardLimitedAt() == null ? null : p.hardLimitedAt().toString());
            presets.add(m);
        }
        root.put("presets", presets);
        return root;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String table(Summary summary, long wallMs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "simulated %s in %.1f s, measured from %s%n",
                Durations.format(summary.simulated()), wallMs / 1000.0, summary.from()));
        String fmt = "%-28s %7s %7s %7s %9s %8s %10s %8s %9s %10s  %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "PRESET", "SERVED", "MISSED", "HIT", "MEAN ELIG", "MIN ELIG",
                "IDLE PB-H", "CREATES", "FAILURES", "BACKOFF", "HARD-LIMITED AT"));
        for (Summary.PresetSummary p : summary.presets()) {
            sb.append(String.format(Locale.ROOT, fmt, p.preset(), p.claimsServed(), p.claimsMissed(),
                    String.format(Locale.ROOT, "%.1f%%", p.hitRate() * 100), String.format(Locale.ROOT, "%.2f", p.meanEligible()),
                    p.minEligible(), String.format(Locale.ROOT, "%.1f", p.idlePrebuildHours()), p.creates(), p.failures(),
                    Durations.format(p.timeInBackoff()), p.hardLimitedAt() == null ? "-" : p.hardLimitedAt().toString()));
        }
        return sb.toString();
    }
}
