package io.warmpool.bootstrap.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.db.embedded.EmbeddedPostgresServer;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.bootstrap.wiring.EmbeddedDatabaseModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim handoff (SPEC R12) in the simulator: with {@code claim_latency} and {@code claim_failure_rate} the claims
 * go through the simulated claim transition in virtual time, failed handoffs are {@code claim_failed} and tried once
 * more, and the run stays deterministic.
 */
class SimulatedHandoffTest {

    @TempDir
    Path dir;

    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 4}
            """;

    private static final String SCENARIO = """
            start: 2026-03-02T06:00:00Z
            provisioner:
              create_latency: {min: 1m, max: 2m}
              claim_latency: {min: 5s, max: 20s}
              claim_failure_rate: 0.3
            claims:
              python-dev/small: {per_hour: 10}
            """;

    private Simulation.Result run(String name, long seed) throws Exception {
        Path scenario = dir.resolve(name + ".yaml");
        Files.writeString(scenario, SCENARIO);
        return new Simulation(Scenario.read(scenario), PRESETS, "presets.yaml", Duration.ofHours(4), seed, line -> { })
                .run(new EmbeddedDatabaseModule(dir.resolve(name + "-db"), 4, EmbeddedPostgresServer.Options.THROWAWAY));
    }

    @Test
    void failedHandoffsAreClaimFailedAndRetried_workspacesAreHandedOutOnce_andTheRunIsDeterministic() throws Exception {
        Simulation.Result first = run("a", 11);
        Simulation.Result second = run("b", 11);

        Path one = dir.resolve("one.jsonl");
        Path two = dir.resolve("two.jsonl");
        SimulateCommand.writeEvents(first.events(), one);
        SimulateCommand.writeEvents(second.events(), two);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));

        List<Event> events = first.events();
        List<Event> failed = events.stream().filter(e -> e.type() == EventType.CLAIM_FAILED).toList();
        List<Event> served = events.stream().filter(e -> e.type() == EventType.CLAIM_SUCCEEDED).toList();
        assertThat(failed).as("about 30 %% of ~40 handoffs fail").hasSizeBetween(3, 30);
        assertThat(served).hasSizeGreaterThan(10);
        assertThat(Files.readString(one)).contains("\"type\":\"claim_failed\"");
        Set<Object> handedOut = new HashSet<>();
        for (Event e : served) {
            assertThat(handedOut.add(e.workspace())).as("handed out twice: %s", e.workspace()).isTrue();
            assertThat(failed).as("a failed prebuild is never handed out").noneMatch(f -> f.workspace().equals(e.workspace()));
        }
        assertThat(served).as("some claims were served by the second try").anyMatch(e -> "2".equals(e.details().get("handoff_attempt")));
    }
}
