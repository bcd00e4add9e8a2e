package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.FailureRule;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Latency;
import io.warmpool.adapters.provisioner.SimulatedProvisionerConfig.Life;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The simulated provisioner's readiness latency, liveness deaths and claims (R10–R12), in virtual time. */
class SimulatedProvisionerLifeTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");
    private static final SimulatedProvisionerConfig BASE = new SimulatedProvisionerConfig(
            Latency.uniform(Duration.ofSeconds(10), Duration.ofSeconds(90)), Latency.fixed(Duration.ofSeconds(5)),
            new FailureRule(0, 0.3, false), Map.of(), 0);

    private final VirtualScheduler scheduler = new VirtualScheduler(T0);
    /** When the last {@link #create} completed, in virtual time. */
    private Instant completedAt;

    private ProvisionResult now(SimulatedProvisioner provisioner, ProvisionRequest request) {
        CompletableFuture<ProvisionResult> result = provisioner.provision(request).toCompletableFuture();
        scheduler.advance(Duration.ZERO);
        assertThat(result).as("a check has no latency of its own").isDone();
        return result.join();
    }

    private Health check(SimulatedProvisioner provisioner, int n) {
        return ((ProvisionResult.Checked) now(provisioner, Requests.check("python-dev", "small", n))).health();
    }

    /** Creates workspace {@code n} and runs until its create completed; returns the result. */
    private ProvisionResult create(SimulatedProvisioner provisioner, int n) {
        CompletableFuture<ProvisionResult> result = provisioner.provision(Requests.create("python-dev", "small", n))
                .toCompletableFuture();
        result.thenRun(() -> completedAt = scheduler.now());
        while (!result.isDone()) {
            scheduler.advance(Duration.ofSeconds(1));
        }
        return result.join();
    }

    @Test
    void withoutALife_checksAreReady_aClaimIsANoOpCompletedAtOnce_andNothingIsScheduled() {
        SimulatedProvisioner provisioner = new SimulatedProvisioner(BASE, 1, scheduler);

        assertThat(provisioner.supports(Transition.CHECK)).isTrue();
        assertThat(provisioner.supports(Transition.CLAIM)).isFalse();
        CompletableFuture<ProvisionResult> claim = provisioner.provision(Requests.claim("python-dev", "small", 1, Map.of()))
                .toCompletableFuture();
        assertThat(claim).isCompletedWithValueMatching(r -> r instanceof ProvisionResult.Succeeded ok
                && ok.outputs().isEmpty() && ok.log().contains("no-op"));
        create(provisioner, 1);
        assertThat(scheduler.pending()).as("no readiness or death task").isZero();
        assertThat(check(provisioner, 1)).isEqualTo(Health.READY);
    }

    @Test
    void aReadinessLatency_keepsACreatedWorkspaceStartingThatLongAfterItsCreate_thenReady() {
        SimulatedProvisioner provisioner = new SimulatedProvisioner(BASE.withFailures(FailureRule.NONE).withLife(new Life(
                Latency.fixed(Duration.ofMinutes(2)), 0, Health.GONE, Latency.fixed(Duration.ZERO), 0)), 1, scheduler);
        assertThat(create(provisioner, 2)).isInstanceOf(ProvisionResult.Succeeded.class);
        Instant createdAt = completedAt;

        assertThat(check(provisioner, 2)).isEqualTo(Health.STARTING);
        scheduler.runUntil(createdAt.plus(Duration.ofMinutes(2)).minusMillis(1));
        assertThat(check(provisioner, 2)).isEqualTo(Health.STARTING);
        scheduler.runUntil(createdAt.plus(Duration.ofMinutes(2)));
        assertThat(check(provisioner, 2)).isEqualTo(Health.READY);
    }

    @Test
    void aDeletedWorkspaceIsForgotten_andAFailedCreateIsNotFollowed() {
        SimulatedProvisioner provisioner = new SimulatedProvisioner(BASE.withFailures(new FailureRule(1, 0, false))
                .withLife(new Life(Latency.fixed(Duration.ofHours(1)), 0, Health.GONE, Latency.fixed(Duration.ZERO), 0)),
                1, scheduler);

        assertThat(create(provisioner, 1)).isInstanceOf(ProvisionResult.Failed.class);
        assertThat(check(provisioner, 1)).as("never followed: unknown workspaces check ready").isEqualTo(Health.READY);
        create(provisioner, 2);
        assertThat(check(provisioner, 2)).isEqualTo(Health.STARTING);
        provisioner.provision(Requests.delete("python-dev", "small", 2));
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(check(provisioner, 2)).isEqualTo(Health.READY);
    }

    @Test
    void deathsMakeReadyWorkspacesCheckTheirDeathStatus_atTimesFixedByTheSeed() {
        Life dying = new Life(Latency.fixed(Duration.ofMinutes(1)), 2, Health.UNHEALTHY, Latency.fixed(Duration.ZERO), 0);

        List<Duration> first = deathTimes(dying, 5);
        List<Duration> again = deathTimes(dying, 5);

        assertThat(again).isEqualTo(first);
        assertThat(first).allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMinutes(1)));
        assertThat(first.stream().distinct().count()).as("exponential, not constant").isGreaterThan(3);
        double meanHours = first.stream().mapToLong(Duration::toMillis).average().orElseThrow() / 3_600_000d - 1 / 60d;
        assertThat(meanHours).as("mean time to death about 1/rate = 30 min").isBetween(0.1, 1.5);
        assertThat(deathTimes(dying, 6)).isNotEqualTo(first);
    }

    /** For 8 workspaces created one after another: how long after its create each first checked unhealthy. */
    private static List<Duration> deathTimes(Life life, long seed) {
        VirtualScheduler scheduler = new VirtualScheduler(T0);
        SimulatedProvisioner provisioner = new SimulatedProvisioner(BASE.withFailures(FailureRule.NONE).withLife(life),
                seed, scheduler);
        List<Duration> deaths = new ArrayList<>();
        for (int n = 1; n <= 8; n++) {
            CompletableFuture<ProvisionResult> created = provisioner.provision(Requests.create("python-dev", "small", n))
                    .toCompletableFuture();
            Instant[] completed = new Instant[1];
            created.thenRun(() -> completed[0] = scheduler.now());
            while (!created.isDone()) {
                scheduler.advance(Duration.ofSeconds(1));
            }
            Instant createdAt = completed[0];
            for (Duration after = Duration.ZERO; ; after = after.plusSeconds(10)) {
                scheduler.runUntil(createdAt.plus(after));
                CompletableFuture<ProvisionResult> check = provisioner.provision(Requests.check("python-dev", "small", n))
                        .toCompletableFuture();
                scheduler.advance(Duration.ZERO);
                Health health = ((ProvisionResult.Checked) check.join()).health();
                if (health == Health.UNHEALTHY) {
                    deaths.add(after);
                    break;
                }
                assertThat(health).isIn(Health.STARTING, Health.READY);
                assertThat(after).as("dies within a day at 2 per hour").isLessThan(Duration.ofDays(1));
            }
        }
        return deaths;
    }

    @Test
    void claimsTakeTheirLatency_andFailAtTheirRate_theSameForTheSameSeed() {
        Life claims = new Life(Latency.fixed(Duration.ZERO), 0, Health.GONE,
                Latency.uniform(Duration.ofSeconds(1), Duration.ofSeconds(3)), 0.4);

        List<Object> first = claimOutcomes(claims, 11);
        List<Object> again = claimOutcomes(claims, 11);

        assertThat(again).isEqualTo(first);
        assertThat(first).filteredOn(o -> o instanceof ProvisionResult.Failed).isNotEmpty();
        assertThat(first).filteredOn(o -> o instanceof ProvisionResult.Succeeded).isNotEmpty();
        assertThat(first).filteredOn(o -> o instanceof Duration).allSatisfy(d -> assertThat((Duration) d)
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        assertThat(claimOutcomes(claims, 12)).isNotEqualTo(first);
    }

    /** 20 claims, one after another: each one's latency and result. */
    private static List<Object> claimOutcomes(Life life, long seed) {
        VirtualScheduler scheduler = new VirtualScheduler(T0);
        SimulatedProvisioner provisioner = new SimulatedProvisioner(BASE.withLife(life), seed, scheduler);
        assertThat(provisioner.supports(Transition.CLAIM)).isTrue();
        List<Object> outcomes = new ArrayList<>();
        for (int n = 1; n <= 20; n++) {
            Instant asked = scheduler.now();
            CompletableFuture<ProvisionResult> claim = provisioner.provision(
                    Requests.claim("python-dev", "small", n, Map.of())).toCompletableFuture();
            scheduler.runAll();
            outcomes.add(Duration.between(asked, scheduler.now()));
            outcomes.add(claim.join());
        }
        return outcomes;
    }

    @Test
    void aLifeChangesNoCreatesLatencyOrOutcome() {
        Life life = new Life(Latency.uniform(Duration.ofMinutes(1), Duration.ofMinutes(5)), 3, Health.GONE,
                Latency.fixed(Duration.ofSeconds(2)), 0.5);

        assertThat(createOutcomes(BASE.withLife(life), 9)).isEqualTo(createOutcomes(BASE, 9));
    }

    private static List<Object> createOutcomes(SimulatedProvisionerConfig config, long seed) {
        VirtualScheduler scheduler = new VirtualScheduler(T0);
        SimulatedProvisioner provisioner = new SimulatedProvisioner(config, seed, scheduler);
        List<Object> outcomes = new ArrayList<>();
        for (int n = 1; n <= 30; n++) {
            Instant asked = scheduler.now();
            CompletableFuture<ProvisionResult> created = provisioner.provision(
                    Requests.create("python-dev", "small", n)).toCompletableFuture();
            while (!created.isDone()) {
                scheduler.advance(Duration.ofMillis(100));
            }
            outcomes.add(Duration.between(asked, scheduler.now()));
            outcomes.add(created.join());
            provisioner.provision(Requests.claim("python-dev", "small", n, Map.of()));
        }
        return outcomes;
    }

    @Test
    void badLifeValuesNameTheField() {
        Latency zero = Latency.fixed(Duration.ZERO);
        assertThatThrownBy(() -> new Life(zero, -1, Health.GONE, zero, 0)).hasMessageContaining("deaths_per_hour");
        assertThatThrownBy(() -> new Life(zero, 0, Health.READY, zero, 0)).hasMessageContaining("death_status");
        assertThatThrownBy(() -> new Life(zero, 0, Health.GONE, zero, 1.5)).hasMessageContaining("claim_failure_rate");
        assertThatThrownBy(() -> new Life(null, 0, Health.GONE, zero, 0)).hasMessageContaining("readiness_latency");
    }
}
