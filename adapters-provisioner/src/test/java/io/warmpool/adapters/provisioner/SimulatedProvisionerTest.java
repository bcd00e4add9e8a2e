package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SimulatedProvisionerTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    /** One completed build: what was asked, when it was asked and when it completed, and how. */
    record Completion(String workspace, String preset, Transition transition, Instant requestedAt, Instant completedAt,
                      ProvisionResult result) {
    }

    private static List<Completion> run(SimulatedProvisioner provisioner, VirtualScheduler scheduler,
                                        List<ProvisionRequest> requests, Duration spacing) {
        List<Completion> completions = new ArrayList<>();
        for (ProvisionRequest request : requests) {
            Instant requestedAt = scheduler.now();
            provisioner.provision(request).thenAccept(result -> completions.add(
                    new Completion(request.workspace().text(), request.preset().preset(), request.transition(),
                            requestedAt, scheduler.now(), result)));
            scheduler.advance(spacing);
        }
        scheduler.runAll();
        assertThat(completions).as("every stage completes").hasSize(requests.size());
        return completions;
    }

    private static List<Completion> runWithSeed(SimulatedProvisionerConfig config, long seed,
                                                List<ProvisionRequest> requests) {
        VirtualScheduler scheduler = new VirtualScheduler(T0);
        return run(new SimulatedProvisioner(config, seed, scheduler), scheduler, requests, Duration.ofSeconds(7));
    }

    private static List<ProvisionRequest> mixedRequests() {
        List<ProvisionRequest> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            requests.add(i % 3 == 0 ? Requests.create("python-dev", "small", i) : Requests.create("go-dev", "large", i));
            if (i % 5 == 4) {
                requests.add(Requests.delete("python-dev", "small", i - 4));
            }
        }
        return requests;
    }

    private static final SimulatedProvisionerConfig RANDOM = new SimulatedProvisionerConfig(
            Latency.uniform(Duration.ofSeconds(10), Duration.ofSeconds(90)), Latency.uniform(Duration.ofSeconds(1), Duration.ofSeconds(5)),
            new FailureRule(0, 0.4, false), Map.of(), 0);

    @Test
    void givenTheSameSeed_outcomesAndCompletionTimesAreTheSame() {
        List<Completion> first = runWithSeed(RANDOM, 42, mixedRequests());
        List<Completion> second = runWithSeed(RANDOM, 42, mixedRequests());

        assertThat(second).isEqualTo(first);
        assertThat(first).extracting(c -> c.result() instanceof ProvisionResult.Failed)
                .as("the rate of 0.4 produces both outcomes").contains(true, false);
    }

    @Test
    void givenAnotherSeed_outcomesOrTimesDiffer() {
        assertThat(runWithSeed(RANDOM, 43, mixedRequests())).isNotEqualTo(runWithSeed(RANDOM, 42, mixedRequests()));
    }

    @Test
    void drawsArePerPreset_soOtherPresetsRequestsDoNotChangeAPresetsOutcomes() {
        List<ProvisionRequest> alone = mixedRequests().stream()
                .filter(r -> r.preset().preset().equals("small")).toList();

        Map<String, Object> interleaved = byRequest(runWithSeed(RANDOM, 7, mixedRequests()), "small");
        Map<String, Object> isolated = byRequest(runWithSeed(RANDOM, 7, alone), "small");

        assertThat(isolated).hasSize(alone.size()).isEqualTo(interleaved);
    }

    /** Latency and result by transition and workspace: requests are spaced differently in the two runs. */
    private static Map<String, Object> byRequest(List<Completion> completions, String preset) {
        return completions.stream().filter(c -> c.preset().equals(preset)).collect(java.util.stream.Collectors.toMap(
                c -> c.transition() + " " + c.workspace(),
                c -> List.of(Duration.between(c.requestedAt(), c.completedAt()), c.result())));
    }

    @Test
    void uniformLatencyStaysWithinItsBoundsAndUsesTheRange() {
        List<Completion> completions = runWithSeed(RANDOM, 3, mixedRequests());

        List<Duration> creates = completions.stream().filter(c -> c.transition() == Transition.CREATE)
                .map(c -> Duration.between(c.requestedAt(), c.completedAt())).toList();
        assertThat(creates).allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(90)));
        assertThat(creates.stream().distinct().count()).as("not a constant").isGreaterThan(10);
        assertThat(creates).allSatisfy(d -> assertThat(d.getNano() % 1_000_000).as("whole milliseconds").isZero());
    }

    @Test
    void fixedLatencyCompletesExactlyThatLateAndDeletesUseTheirOwnLatency() {
        SimulatedProvisionerConfig config = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(30)),
                Latency.fixed(Duration.ofSeconds(4)), FailureRule.NONE, Map.of(), 0);

        List<Completion> completions = runWithSeed(config, 1,
                List.of(Requests.create("t", "p", 1), Requests.delete("t", "p", 1)));

        assertThat(completions).extracting(c -> Duration.between(c.requestedAt(), c.completedAt()))
                .containsExactlyInAnyOrder(Duration.ofSeconds(30), Duration.ofSeconds(4));
    }

    @Test
    void successReturnsAUrlOutputAndNothingCompletesBeforeItsTime() {
        VirtualScheduler scheduler = new VirtualScheduler(T0);
        SimulatedProvisioner provisioner = new SimulatedProvisioner(SimulatedProvisionerConfig.DEFAULT, 1, scheduler);

        var stage = provisioner.provision(Requests.create("t", "p", 9)).toCompletableFuture();
        scheduler.runUntil(T0.plusSeconds(29));
        assertThat(stage).isNotDone();
        scheduler.runUntil(T0.plusSeconds(30));

        assertThat(stage.join()).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs())
                .containsExactly(Map.entry("url", "https://sim.invalid/" + Requests.workspace(9).text())));
    }

    @Test
    void failFirstFailsExactlyTheFirstCreatesOfThatPresetOnly() {
        SimulatedProvisionerConfig config = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(1)),
                Latency.fixed(Duration.ofSeconds(1)), FailureRule.NONE,
                Map.of("python-dev/small", new FailureRule(3, 0, false)), 0);
        List<ProvisionRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(Requests.create("python-dev", "small", i));
            requests.add(Requests.create("python-dev", "large", 100 + i));
        }

        List<Completion> completions = runWithSeed(config, 5, requests);

        assertThat(outcomes(completions, "small")).containsExactly("transient", "transient", "transient", "ok", "ok", "ok");
        assertThat(outcomes(completions, "large")).containsOnly("ok");
    }

    @Test
    void permanentRuleMakesItsFailuresPermanent() {
        SimulatedProvisionerConfig config = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(1)),
                Latency.fixed(Duration.ofSeconds(1)), FailureRule.NONE,
                Map.of("python-dev/small", new FailureRule(2, 0, true)), 0);

        List<Completion> completions = runWithSeed(config, 5, List.of(Requests.create("python-dev", "small", 1),
                Requests.create("python-dev", "small", 2), Requests.create("python-dev", "small", 3)));

        assertThat(outcomes(completions, "small")).containsExactly("permanent", "permanent", "ok");
        assertThat(((ProvisionResult.Failed) completions.get(0).result()).error()).contains("fail_first");
    }

    @Test
    void failureRateFailsAboutThatShareOfAPresetsCreates() {
        SimulatedProvisionerConfig config = new SimulatedProvisionerConfig(Latency.fixed(Duration.ZERO),
                Latency.fixed(Duration.ZERO), FailureRule.NONE,
                Map.of("python-dev/small", new FailureRule(0, 0.3, false)), 0);
        List<ProvisionRequest> requests = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            requests.add(Requests.create("python-dev", "small", i));
            requests.add(Requests.create("python-dev", "other", 10_000 + i));
        }

        List<Completion> completions = runWithSeed(config, 11, requests);

        long failed = outcomes(completions, "small").stream().filter(o -> !o.equals("ok")).count();
        assertThat(failed).isBetween(540L, 660L);
        assertThat(outcomes(completions, "small")).doesNotContain("permanent");
        assertThat(outcomes(completions, "other")).containsOnly("ok");
    }

    @Test
    void aPresetsOwnRuleReplacesTheGlobalOne() {
        SimulatedProvisionerConfig config = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(1)),
                Latency.fixed(Duration.ofSeconds(1)), new FailureRule(1, 0, false),
                Map.of("a/own", new FailureRule(0, 0, false)), 0);

        List<Completion> completions = runWithSeed(config, 5, List.of(Requests.create("a", "own", 1),
                Requests.create("a", "own", 2), Requests.create("b", "global", 3), Requests.create("b", "global", 4),
                Requests.create("c", "global", 5)));

        assertThat(outcomes(completions, "own")).containsExactly("ok", "ok");
        assertThat(outcomes(completions, "global")).as("fail_first counts per preset")
                .containsExactly("transient", "ok", "transient");
    }

    @Test
    void deletesSucceedEvenForFailingPresetsUnlessADeleteFailureRateIsSet() {
        SimulatedProvisionerConfig failingCreates = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(1)),
                Latency.fixed(Duration.ofSeconds(1)), new FailureRule(100, 1, true), Map.of(), 0);
        List<ProvisionRequest> deletes = List.of(Requests.delete("t", "p", 1), Requests.delete("t", "p", 2));

        assertThat(outcomes(runWithSeed(failingCreates, 5, deletes), "p")).containsOnly("ok");

        SimulatedProvisionerConfig failingDeletes = new SimulatedProvisionerConfig(Latency.fixed(Duration.ofSeconds(1)),
                Latency.fixed(Duration.ofSeconds(1)), FailureRule.NONE, Map.of(), 1);
        assertThat(outcomes(runWithSeed(failingDeletes, 5, deletes), "p")).containsOnly("transient");
    }

    @Test
    void whenTheSchedulerIsStopped_theStageCompletesUnavailable() {
        SimulatedProvisioner provisioner = new SimulatedProvisioner(SimulatedProvisionerConfig.DEFAULT, 1,
                (delay, task) -> {
                    throw new RejectedExecutionException("stopped");
                });

        assertThat(provisioner.provision(Requests.create("t", "p", 1)).toCompletableFuture().join())
                .isInstanceOf(ProvisionResult.Unavailable.class);
    }

    @Test
    void configRejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> new FailureRule(-1, 0, false)).hasMessageContaining("fail_first");
        assertThatThrownBy(() -> new FailureRule(0, 1.5, false)).hasMessageContaining("failure_rate");
        assertThatThrownBy(() -> new FailureRule(0, Double.NaN, false)).hasMessageContaining("failure_rate");
        assertThatThrownBy(() -> Latency.uniform(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .hasMessageContaining("latency.max");
        assertThatThrownBy(() -> Latency.fixed(Duration.ofSeconds(-1))).hasMessageContaining("latency.min");
        assertThatThrownBy(() -> Latency.fixed(Duration.ofNanos(1500))).hasMessageContaining("whole milliseconds");
        assertThatThrownBy(() -> new SimulatedProvisionerConfig(Latency.fixed(Duration.ZERO), Latency.fixed(Duration.ZERO),
                FailureRule.NONE, Map.of("no-slash", FailureRule.NONE), 0)).hasMessageContaining("presets")
                .hasMessageContaining("template/preset");
        assertThatThrownBy(() -> new SimulatedProvisionerConfig(Latency.fixed(Duration.ZERO), Latency.fixed(Duration.ZERO),
                FailureRule.NONE, Map.of(), -0.1)).hasMessageContaining("delete_failure_rate");
    }

    /** "ok", "transient" or "permanent" for each completion of the named preset, in completion order. */
    private static List<String> outcomes(List<Completion> completions, String preset) {
        return completions.stream().filter(c -> c.preset().equals(preset))
                .map(c -> c.result() instanceof ProvisionResult.Failed f ? (f.permanent() ? "permanent" : "transient") : "ok")
                .toList();
    }
}
