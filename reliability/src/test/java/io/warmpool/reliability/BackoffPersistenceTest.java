package io.warmpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC R3 and §7, backoff persisted: with the hard limit at 5 and a linear backoff of 2 s, a preset whose every
 * create fails backs off 1×, 2×, 3×; the service process is restarted; the next failure backs off 4× (not 1×, as
 * it would if the counter lived in memory), and no create ever starts before the stored retryNotBefore, across
 * the restart.
 */
class BackoffPersistenceTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @Test
    void threeFailuresThenARestart_theNextFailureBacksOffFourIntervals() throws Exception {
        Path dir = Logs.dir("BackoffPersistenceTest");
        try (SharedDatabase pg = SharedDatabase.start(dir.resolve("pg"))) {
            SharedDatabase.Database db = pg.create("backoff");
            Path presets = Fixtures.write(dir.resolve("presets.yaml"), """
                    templates:
                      - name: bad
                        version: v1
                        presets:
                          - {name: p, parameters: {}, prebuilds: {instances: 1}}
                    """);
            Path simulated = Fixtures.write(dir.resolve("simulated.yaml"), """
                    create_latency: 50ms
                    delete_latency: 20ms
                    presets:
                      bad/p: {failure_rate: 1.0}
                    """);
            try (ServiceProcess service = ServiceProcess.builder("replica", dir)
                    .database(db)
                    .simulated(presets, simulated)
                    .setting("reconcile-interval", "200ms")
                    .setting("backoff-policy", "linear")
                    .setting("backoff-interval", "2s")
                    .setting("failure-hard-limit", "5")
                    .setting("failed-retention", "1s")
                    .build()) {
                // given: three failures
                service.start().awaitReady(Duration.ofMinutes(2));
                await().atMost(Duration.ofMinutes(1)).until(() -> k(db) >= 3);

                // when: the process is restarted (SIGTERM, then a new JVM) with the backoff of the third failure pending
                int exit = service.stop(Duration.ofMinutes(1));
                Map<String, Object> third = CrashTest.failureState(db, "bad", "p");
                assertThat(third).as("the failure state when the process was stopped").containsEntry("k", 3)
                        .containsEntry("status", "healthy");
                assertThat(delay(third)).isEqualTo(INTERVAL.multipliedBy(3));
                service.start().awaitReady(Duration.ofMinutes(2));

                // then: the next failure backs off four intervals, and the preset is not limited (5 is the limit)
                await().atMost(Duration.ofMinutes(1)).until(() -> k(db) >= 4);
                Map<String, Object> fourth = CrashTest.failureState(db, "bad", "p");
                assertThat(fourth).containsEntry("k", 4).containsEntry("status", "healthy");
                assertThat(delay(fourth)).isEqualTo(INTERVAL.multipliedBy(4));
                JsonNode view = new ObjectMapper().readTree(service.get("/api/v1/presets/bad/p").body());
                assertThat(view.get("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(4);
                assertThat(view.get("status").asText()).isEqualTo("healthy");

                // and no create started before the retryNotBefore its previous failure stored, across the restart
                List<Map<String, Object>> builds = db.query("""
                        select created_at, finished_at from builds where transition = 'create' order by id
                        """);
                assertThat(builds).hasSizeGreaterThanOrEqualTo(4);
                for (int i = 1; i < 4; i++) {
                    Instant failedAt = CrashTest.instant(builds.get(i - 1).get("finished_at"));
                    Instant next = CrashTest.instant(builds.get(i).get("created_at"));
                    assertThat(next).as("create %d", i + 1).isAfterOrEqualTo(failedAt.plus(INTERVAL.multipliedBy(i)));
                }

                String summary = String.format("backoff persisted: k=3 with retryNotBefore - lastFailureAt = %d ms before the "
                                + "restart (exit %d on SIGTERM); the next failure after it: k=4, %d ms; no create before its "
                                + "retryNotBefore (4 creates checked)",
                        delay(third).toMillis(), exit, delay(fourth).toMillis());
                System.out.println(summary);
                Files.writeString(dir.resolve("summary.txt"), summary + "\n");
            }
        }
    }

    private static int k(SharedDatabase.Database db) {
        return (int) CrashTest.failureState(db, "bad", "p").get("k");
    }

    private static Duration delay(Map<String, Object> state) {
        return Duration.between(CrashTest.instant(state.get("last_failure_at")), CrashTest.instant(state.get("retry_not_before")));
    }
}
