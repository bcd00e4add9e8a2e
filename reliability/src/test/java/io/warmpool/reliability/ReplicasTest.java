package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, replicas: three service processes on one database with 50 presets, claims and releases going to all
 * three (each claim nudges a pass on every replica). The passes that ran, read from each replica's per-pass log
 * line, never overlap; no preset ever has more prebuilds alive (running + creates in flight) than desired; the
 * pools end at exactly desired; no prebuild is created twice, no job taken twice, no workspace claimed twice.
 */
class ReplicasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEMPLATES = 10;
    private static final int PER_TEMPLATE = 5;

    @Test
    void threeReplicasOnOneDatabase_passesNeverOverlapAndPoolsEndAtExactlyDesired() throws Exception {
        Path dir = Logs.dir("ReplicasTest");
        long began = System.nanoTime();
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("replicas");
            // given: 50 presets of 1 to 4 prebuilds (125 in all); creates take 50–300 ms and 10 % of them fail
            Path presets = Fixtures.presets(dir.resolve("presets.yaml"), TEMPLATES, PER_TEMPLATE, i -> i % 4 + 1);
            Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), """
                    create_latency: {min: 50ms, max: 300ms}
                    delete_latency: {min: 20ms, max: 100ms}
                    failures: {failure_rate: 0.1}
                    """);
            int desiredTotal = 0;
            for (int i = 0; i < TEMPLATES * PER_TEMPLATE; i++) {
                desiredTotal += i % 4 + 1;
            }
            List<ServiceProcess> replicas = new ArrayList<>();
            PoolSampler sampler = null;
            try {
                for (String name : List.of("replica-a", "replica-b", "replica-c")) {
                    replicas.add(ServiceProcess.builder(name, dir)
                            .database(db)
                            .simulated(presets, simulated)
                            .setting("seed", Integer.toString(replicas.size() + 1))
                            .setting("reconcile-interval", "150ms")
                            .setting("backoff-interval", "200ms")
                            // 10 % failures: three in a row somewhere is likely; the limit would stop convergence
                            .setting("failure-hard-limit", "0")
                            .setting("failed-retention", "1s")
                            .setting("job-heartbeat-timeout", "15s")
                            .start());
                }
                // All three start at once: they race for the migrations and apply the same presets file.
                for (ServiceProcess r : replicas) {
                    r.awaitReady(Duration.ofMinutes(2));
                }
                sampler = new PoolSampler(db, Duration.ofMillis(50), 0);
                long ready = System.nanoTime();

                // when: the pools fill while 80 claims (seeded) go to the three replicas in turn; half are released
                Random random = new Random(8);
                Set<String> claimed = new HashSet<>();
                List<String> claimedInOrder = new ArrayList<>();
                int misses = 0;
                for (int i = 0; i < 80; i++) {
                    ServiceProcess via = replicas.get(i % replicas.size());
                    int preset = random.nextInt(TEMPLATES * PER_TEMPLATE);
                    String path = String.format("/api/v1/presets/t%02d/p%d/claims", preset / PER_TEMPLATE + 1, preset % PER_TEMPLATE + 1);
                    HttpResponse<String> r = via.post(path, "{\"owner\":\"user-" + i + "\"}", "application/json");
                    if (r.statusCode() == 201) {
                        String id = JSON.readTree(r.body()).get("id").asText();
                        assertThat(claimed.add(id)).as("workspace %s handed out twice", id).isTrue();
                        claimedInOrder.add(id);
                    } else {
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
                        misses++;
                    }
                    if (i % 2 == 1 && !claimedInOrder.isEmpty()) {
                        String release = claimedInOrder.remove(0);
                        HttpResponse<String> d = replicas.get((i + 1) % replicas.size()).delete("/api/v1/workspaces/" + release);
                        assertThat(d.statusCode()).as(d.body()).isEqualTo(202);
                    }
                    Thread.sleep(75);
                }
                long claimsDone = System.nanoTime();

                // then: the pools end at exactly desired and stay there
                Fixtures.awaitConverged(db, Duration.ofMinutes(3), Duration.ofSeconds(2));
                long converged = System.nanoTime();
                sampler.sampleOnce();
                sampler.close();
                for (ServiceProcess r : replicas) {
                    // 0: run catches the first SIGTERM, stops cleanly (loop, API, workers, then the database), returns 0
                    assertThat(r.stop(Duration.ofMinutes(1))).as(r.name() + " exit code on SIGTERM").isEqualTo(0);
                    // no error, and no warning but the simulated provisioner's failed creates (one WARN each)
                    assertThat(r.stderr()).as(r.name() + " log").doesNotContain(" ERROR ");
                    assertThat(r.stderrLines()).as(r.name() + " log").filteredOn(l -> l.contains(" WARN "))
                            .allSatisfy(l -> assertThat(l).contains(" WARN  worker     create failed: simulated failure"));
                }

                PassLog passes = PassLog.of(replicas);
                assertThat(passes.passes()).as("passes read from the logs").hasSizeGreaterThan(20);
                for (ServiceProcess r : replicas) {
                    assertThat(passes.ranBy(r.name())).as("passes run by " + r.name()).isPositive();
                }
                assertThat(passes.overlaps()).as("overlapping passes").isEmpty();
                assertThat(sampler.violations()).as("samples with more prebuilds alive than desired").isEmpty();
                assertThat(sampler.samples()).isGreaterThan(50);
                assertThat(Fixtures.unconverged(db)).isEmpty();
                assertThat(db.count("""
                        select count(*) from workspaces w join presets p on p.id = w.preset_id
                         where w.owner = 'prebuilds' and w.phase = 'running'
                        """)).isEqualTo(desiredTotal);
                assertThat(Fixtures.workspacesCreatedTwice(db)).as("prebuilds created twice").isZero();
                assertThat(Fixtures.buildsTakenTwice(db)).as("jobs taken twice").isZero();
                assertThat(db.count("select count(distinct worker) from builds where worker is not null"))
                        .as("workers of all three replicas ran jobs").isGreaterThan(4);
                assertThat(claimed).hasSizeGreaterThan(40);

                long creates = db.count("select count(*) from builds where transition = 'create'");
                long failedCreates = db.count("select count(*) from builds where transition = 'create' and status = 'failed'");
                String summary = String.format(
                        "replicas: 3 replicas, %d presets, %d prebuilds desired; %d passes ran (a %d, b %d, c %d), %d skipped "
                                + "(locked elsewhere), %d handovers, 0 overlaps, smallest gap %d ms, longest pass %d ms; "
                                + "%d creates (%d failed), %d claims (%d missed), %d DB samples, max alive - desired = %d; "
                                + "claims and releases took %.1f s, converged %.1f s after them; test %.1f s",
                        TEMPLATES * PER_TEMPLATE, desiredTotal, passes.passes().size(), passes.ranBy("replica-a"),
                        passes.ranBy("replica-b"), passes.ranBy("replica-c"), passes.skippedLockedElsewhere(),
                        passes.handovers(), passes.smallestGap().toMillis(),
                        passes.passes().stream().mapToLong(p -> p.duration().toMillis()).max().orElse(0),
                        creates, failedCreates, claimed.size(), misses, sampler.samples(), sampler.maxOverDesired(),
                        (claimsDone - ready) / 1e9, (converged - claimsDone) / 1e9, (System.nanoTime() - began) / 1e9);
                System.out.println(summary);
                Files.writeString(dir.resolve("summary.txt"), summary + "\n");
            } finally {
                if (sampler != null) {
                    sampler.close();
                }
                replicas.forEach(ServiceProcess::close);
            }
        }
    }
}
