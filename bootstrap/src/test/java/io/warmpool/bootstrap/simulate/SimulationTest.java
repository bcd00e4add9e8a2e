package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.bootstrap.wiring.EmbeddedDatabaseModule;
import io.warmpool.application.port.in.PassReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator on a real embedded PostgreSQL, in virtual time. */
class SimulationTest {

    @TempDir
    Path dir;

    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 2, ttl: 2h}
              - name: go-service
                version: v1
                presets:
                  - name: broken
                    parameters: {image: nope}
                    prebuilds: {instances: 1}
            """;

    private Simulation.Result run(String name, String scenarioYaml, Duration duration, long seed) throws Exception {
        return run(name, PRESETS, scenarioYaml, duration, seed);
    }

    private Simulation.Result run(String name, String presets, String scenarioYaml, Duration duration, long seed)
            throws Exception {
        Path scenario = dir.resolve(name + ".yaml");
        Files.writeString(scenario, scenarioYaml);
        return new Simulation(Scenario.read(scenario), presets, "presets.yaml", duration, seed, line -> { })
                .run(new EmbeddedDatabaseModule(dir.resolve(name + "-db"), 4, EmbeddedPostgresServer.Options.THROWAWAY));
    }

    @Test
    void sameInputsAndSeedGiveAByteIdenticalEventsFile() throws Exception {
        String scenario = """
                start: 2026-03-02T06:00:00Z
                provisioner:
                  create_latency: {min: 1m, max: 3m}
                  failures: {failure_rate: 0.3}
                claims:
                  python-dev/small: {per_hour: 6}
                config:
                  backoff-jitter: full
                """;
        Simulation.Result first = run("a", scenario, Duration.ofHours(3), 7);
        Simulation.Result second = run("b", scenario, Duration.ofHours(3), 7);
        Path one = dir.resolve("one.jsonl");
        Path two = dir.resolve("two.jsonl");
        SimulateCommand.writeEvents(first.events(), one);
        SimulateCommand.writeEvents(second.events(), two);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
        assertThat(Files.readAllLines(one)).hasSizeGreaterThan(50);
        assertThat(Files.readString(one)).contains("\"type\":\"claim_succeeded\"", "\"type\":\"create_failed\"", "\"type\":\"backoff\"");

        Simulation.Result other = run("c", scenario, Duration.ofHours(3), 8);
        Path three = dir.resolve("three.jsonl");
        SimulateCommand.writeEvents(other.events(), three);
        assertThat(Files.readAllBytes(three)).isNotEqualTo(Files.readAllBytes(one));
    }

    @Test
    void quietPassesReadFromMemory_andTheRunIsTheSameAsWhenEveryPassReadsTheDatabase() throws Exception {
        // TTL expiry, failures with backoff and failed-retention cleanup, claims in windows and bursts, a level
        // change: every way time alone or an event changes what a pass must do.
        Path scenario = dir.resolve("quiet.yaml");
        Files.writeString(scenario, """
                start: 2026-03-02T05:00:00Z
                provisioner:
                  create_latency: {min: 1m, max: 3m}
                  failures: {failure_rate: 0.2}
                claims:
                  python-dev/small:
                    windows:
                      - {per_hour: 3, hours: 8-11}
                    bursts:
                      - {at: "09:00", claims: 4, within: 2m}
                    scale:
                      - {from: 2026-03-02T10:00:00Z, factor: 2}
                config:
                  backoff-interval: 1m
                  failed-retention: 5m
                  failure-hard-limit: 0
                """);
        Simulation simulation = new Simulation(Scenario.read(scenario), PRESETS, "presets.yaml", Duration.ofHours(8), 5,
                line -> { });

        Simulation.Result quiet = sameAsEveryPassReading(simulation, "quiet");

        assertThat(Files.readString(dir.resolve("quiet-quiet.jsonl"))).contains("\"type\":\"expired\"",
                "\"type\":\"backoff\"", "\"type\":\"claim_succeeded\"", "\"reason\":\"FAILED_CLEANUP\"");
        assertThat(quiet.passes()).isNotEmpty();
    }

    /**
     * Runs {@code simulation} with quiet reads and again with every pass reading the database, and checks that both
     * are the same run: byte-identical events files ({@code <name>-quiet.jsonl}, {@code <name>-reading.jsonl}), equal
     * pass reports and summaries. Returns the quiet run.
     */
    private Simulation.Result sameAsEveryPassReading(Simulation simulation, String name) throws Exception {
        Simulation.Result quiet = simulation.run(new EmbeddedDatabaseModule(dir.resolve(name + "-quiet-db"), 4,
                EmbeddedPostgresServer.Options.THROWAWAY));
        Simulation.Result reading = simulation.everyPassReadingTheDatabase().run(new EmbeddedDatabaseModule(
                dir.resolve(name + "-reading-db"), 4, EmbeddedPostgresServer.Options.THROWAWAY));
        Path one = dir.resolve(name + "-quiet.jsonl");
        Path two = dir.resolve(name + "-reading.jsonl");
        SimulateCommand.writeEvents(quiet.events(), one);
        SimulateCommand.writeEvents(reading.events(), two);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
        assertThat(quiet.passes()).isEqualTo(reading.passes()); // virtual time stands still in a pass: durations are 0
        assertThat(Summary.of(quiet).presets()).map(SimulationTest::outcome)
                .isEqualTo(Summary.of(reading).presets().stream().map(SimulationTest::outcome).toList());
        return quiet;
    }

    @Test
    void withAutoscale_quietPassesReadTheDemandAgainWhenItMoves_andTheRunIsTheSameAsWhenEveryPassReads() throws Exception {
        // R13's demand history moves with time alone (whole hours, the last 60 minutes): the remembered snapshot must
        // be read again at those instants, or desired would lag what a real read gives.
        Path scenario = dir.resolve("autoscale-quiet.yaml");
        Files.writeString(scenario, """
                start: 2026-03-02T05:00:00Z
                provisioner:
                  create_latency: {min: 2m, max: 4m}
                claims:
                  python-dev/small:
                    windows:
                      - {per_hour: 6, hours: 7-9}
                    bursts:
                      - {at: "08:00", claims: 5, within: 3m}
                """);
        String presets = """
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                      - name: small
                        prebuilds:
                          autoscale: {target_hit_rate: 0.95, min: 1, max: 10, lookback: 1h}
                """;
        Simulation simulation = new Simulation(Scenario.read(scenario), presets, "presets.yaml", Duration.ofHours(7), 5,
                line -> { });

        Simulation.Result quiet = sameAsEveryPassReading(simulation, "autoscale");

        List<Integer> desired = quiet.passes().stream().flatMap(p -> p.plans().stream())
                .map(p -> p.state().desired()).distinct().toList();
        assertThat(desired).as("autoscale moved desired during the run").hasSizeGreaterThan(2);
    }

    @Test
    void autoscale_learnsARecurring9oClockBurst_andPreWarmsForItInWeekTwo() throws Exception {
        // Weekdays at 9:00 UTC a burst of 10 claims within 10 minutes, nearly nothing else. In week 1 there is no
        // history of that hour: the pool is empty at 9:00 and the burst's first claim misses. From week 2 the 9:00
        // hour of the week has its average, and desired rises a build time before 9:00 — before the burst's first
        // claim — so the first claim of Monday's burst finds a ready prebuild.
        Simulation.Result result = run("prewarm", """
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                      - name: small
                        prebuilds:
                          autoscale: {target_hit_rate: 0.99, min: 0, max: 20, lookback: 14d}
                """, """
                start: 2026-03-02T00:00:00Z
                provisioner:
                  create_latency: {min: 3m, max: 6m}
                claims:
                  python-dev/small:
                    windows:
                      - {per_hour: 0.05}
                    bursts:
                      - {at: "09:00", claims: 10, within: 10m, weekdays: [1, 2, 3, 4, 5]}
                """, Duration.ofDays(7).plusHours(10), 11);
        Instant monday2 = Instant.parse("2026-03-09T09:00:00Z");
        Instant firstClaim = result.events().stream()
                .filter(e -> e.type() == EventType.CLAIM_SUCCEEDED || e.type() == EventType.CLAIM_MISSED)
                .map(Event::at).filter(t -> !t.isBefore(monday2)).min(Comparator.naturalOrder()).orElseThrow();
        int desiredAt8 = desiredAt(result, monday2.minus(Duration.ofMinutes(60)));
        Instant risen = result.passes().stream()
                .filter(p -> p.startedAt().isAfter(monday2.minus(Duration.ofMinutes(60))))
                .filter(p -> p.plans().get(0).state().desired() > Math.max(desiredAt8, 3))
                .map(PassReport::startedAt).findFirst().orElseThrow();
        assertThat(risen).as("desired rises before the burst's first claim (at %s)", firstClaim)
                .isBefore(firstClaim).isBefore(monday2);
        assertThat(result.events().stream().filter(e -> e.at().equals(firstClaim)).map(Event::type)
                .filter(t -> t == EventType.CLAIM_SUCCEEDED || t == EventType.CLAIM_MISSED))
                .as("and that claim finds a ready prebuild").containsExactly(EventType.CLAIM_SUCCEEDED);
        Instant monday1 = Instant.parse("2026-03-02T09:00:00Z");
        assertThat(result.events().stream().filter(e -> !e.at().isBefore(monday1)).map(Event::type)
                .filter(t -> t == EventType.CLAIM_SUCCEEDED || t == EventType.CLAIM_MISSED).findFirst())
                .as("week 1 had nothing to learn from").contains(EventType.CLAIM_MISSED);
    }

    private static int desiredAt(Simulation.Result result, Instant at) {
        return result.passes().stream().filter(p -> !p.startedAt().isAfter(at)).reduce((a, b) -> b).orElseThrow()
                .plans().get(0).state().desired();
    }

    /** A summary line without its backoff windows (arrays, which records compare by identity). */
    private static List<Object> outcome(Summary.PresetSummary p) {
        return List.of(p.preset(), p.claimsServed(), p.claimsMissed(), p.hitRate(), p.meanEligible(), p.minEligible(),
                p.idlePrebuildHours(), p.creates(), p.failures(), p.timeInBackoff(), String.valueOf(p.hardLimitedAt()),
                p.samples(), p.misses());
    }

    @Test
    void failFirstThree_eachNextCreateIsAtTheFirstPassAfterFailurePlusKMinutes_thenSuccessAndNoMoreBackoff() throws Exception {
        Simulation.Result result = run("ff", """
                start: 2026-03-02T00:00:00Z
                provisioner:
                  create_latency: 20s
                  presets:
                    go-service/broken: {fail_first: 3}
                config:
                  reconcile-interval: 15s
                  backoff-interval: 1m
                  failure-hard-limit: 0
                """, Duration.ofHours(1), 1);
        List<Event> broken = result.events().stream().filter(e -> e.preset().template().equals("go-service")).toList();
        List<Event> starts = broken.stream().filter(e -> e.type() == EventType.CREATE_STARTED).toList();
        List<Event> failures = broken.stream().filter(e -> e.type() == EventType.CREATE_FAILED).toList();
        assertThat(failures).hasSize(3);
        assertThat(starts).hasSize(4);
        Instant start = Instant.parse("2026-03-02T00:00:00Z");
        for (int k = 1; k <= 3; k++) {
            Instant failedAt = failures.get(k - 1).at();
            Instant free = failedAt.plus(Duration.ofMinutes(k));
            // the first pass at or after the deadline: passes run every 15 s from the start
            long intervals = (Duration.between(start, free).toMillis() + 14_999) / 15_000;
            Instant firstPass = start.plusMillis(intervals * 15_000);
            assertThat(starts.get(k).at()).as("create after failure %d", k).isEqualTo(firstPass);
        }
        assertThat(broken.stream().filter(e -> e.type() == EventType.CREATE_SUCCEEDED)).hasSize(1);
        Instant success = broken.stream().filter(e -> e.type() == EventType.CREATE_SUCCEEDED).findFirst().orElseThrow().at();
        assertThat(broken.stream().filter(e -> e.type() == EventType.BACKOFF && e.at().isAfter(success))).isEmpty();
    }

    @Test
    void aSteadyPoissonClaimLoadGivesTheErlangLossHitRate() throws Exception {
        // One ready workspace, refilled 10 minutes after each claim (a claim nudges an immediate pass), claims at
        // 6 per hour: a loss system with load a = 6/h × 1/6 h = 1, whose hit rate is 1 / (1 + a) = 0.5.
        Simulation.Result result = run("poisson", """
                start: 2026-03-02T00:00:00Z
                provisioner:
                  create_latency: 10m
                claims:
                  go-service/broken: {per_hour: 6}
                config:
                  reconcile-interval: 5m
                """, Duration.ofHours(60), 3);
        Summary.PresetSummary broken = Summary.of(result).presets().stream()
                .filter(p -> p.preset().equals("go-service/broken")).findFirst().orElseThrow();
        int claims = broken.claimsServed() + broken.claimsMissed();
        // arrivals: Poisson with mean 360 (sd 19): within 4 sd
        assertThat(claims).isBetween(360 - 76, 360 + 76);
        // hit rate 0.5 ± 0.1 (its standard error here is about 0.03)
        assertThat(broken.hitRate()).isBetween(0.4, 0.6);

        // measured from hour 30 (--measure-from 30h): the claims and pool-hours of the second half only
        Instant half = result.start().plus(Duration.ofHours(30));
        Summary.PresetSummary second = Summary.of(result, half).presets().stream()
                .filter(p -> p.preset().equals("go-service/broken")).findFirst().orElseThrow();
        long servedLater = result.events().stream().filter(e -> e.type() == EventType.CLAIM_SUCCEEDED
                && e.preset().preset().equals("broken") && !e.at().isBefore(half)).count();
        assertThat(second.claimsServed()).isEqualTo(servedLater).isLessThan(broken.claimsServed());
        assertThat(second.idlePrebuildHours()).isLessThanOrEqualTo(30.0).isGreaterThan(0.0)
                .isLessThan(broken.idlePrebuildHours());
        assertThat(second.meanEligible()).isBetween(0.0, 1.0);
    }

    private static final String CHECKED_PRESETS = """
            templates:
              - name: go-service
                version: v1
                presets:
                  - name: broken
                    parameters: {image: nope}
                    prebuilds:
                      instances: 1
                      readiness: {check: provisioner, timeout: 1h}
                      health: {interval: 1m, unhealthy_after: 2}
            """;

    private static double hitRate(Simulation.Result result) {
        return Summary.of(result).presets().stream().filter(p -> p.preset().equals("go-service/broken"))
                .findFirst().orElseThrow().hitRate();
    }

    @Test
    void readinessLatencyAndDeaths_lowerTheHitRate_andTheRunStaysByteIdenticalForASeed() throws Exception {
        // The Erlang-loss pool above (hit rate 0.5 with a 10-minute build): a readiness latency of 10 more minutes
        // doubles the build time (a = 2: 1/3), and deaths of idle prebuilds take more away still.
        String scenario = """
                start: 2026-03-02T00:00:00Z
                provisioner:
                  create_latency: 10m
                  readiness_latency: 10m
                  %s
                claims:
                  go-service/broken: {per_hour: 6}
                config:
                  reconcile-interval: 1m
                """;
        Simulation.Result ready = run("ready", CHECKED_PRESETS, scenario.formatted(""), Duration.ofHours(60), 3);
        double readyRate = hitRate(ready);
        assertThat(readyRate).isBetween(0.22, 0.42);
        assertThat(ready.events()).anyMatch(e -> e.type() == EventType.PREBUILD_READY);
        assertThat(ready.events()).noneMatch(e -> e.type() == EventType.PREBUILD_UNHEALTHY);

        Simulation.Result dying = run("dying", CHECKED_PRESETS, scenario.formatted("deaths_per_hour: 2"),
                Duration.ofHours(60), 3);
        assertThat(dying.events()).anyMatch(e -> e.type() == EventType.PREBUILD_UNHEALTHY);
        assertThat(hitRate(dying)).isLessThan(readyRate);

        Simulation.Result again = run("again", CHECKED_PRESETS, scenario.formatted("deaths_per_hour: 2"),
                Duration.ofHours(60), 3);
        Path one = dir.resolve("dying.jsonl");
        Path two = dir.resolve("again.jsonl");
        SimulateCommand.writeEvents(dying.events(), one);
        SimulateCommand.writeEvents(again.events(), two);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
    }

    @Test
    void theReadinessExampleScenario_runsWithItsPresets_readyAndUnhealthyPrebuildsInItsEvents() throws Exception {
        Path examples = Path.of("../examples").toAbsolutePath().normalize();
        Simulation.Result result = new Simulation(Scenario.read(examples.resolve("scenarios/readiness-and-deaths.yaml")),
                Files.readString(examples.resolve("presets-readiness.yaml")), "examples/presets-readiness.yaml",
                Duration.ofHours(4), 1, line -> { })
                .run(new EmbeddedDatabaseModule(dir.resolve("example-db"), 4, EmbeddedPostgresServer.Options.THROWAWAY));

        assertThat(result.events()).anyMatch(e -> e.type() == EventType.PREBUILD_READY);
        assertThat(result.events()).anyMatch(e -> e.type() == EventType.PREBUILD_UNHEALTHY);
        assertThat(result.events()).anyMatch(e -> e.type() == EventType.CLAIM_SUCCEEDED);
    }
}
