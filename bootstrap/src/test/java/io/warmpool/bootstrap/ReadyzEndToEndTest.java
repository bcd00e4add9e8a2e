package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmpool.application.port.out.ReconciliationLockPort;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.ReconcileLoop;
import io.warmpool.bootstrap.runtime.WorkerPool;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} of the real service (embedded PostgreSQL, simulated provisioner, 200 ms reconcile interval): 503 with
 * the reason in the body when no replica has run a pass for three intervals (another "replica" holds the
 * reconciliation lock and never passes), when this replica's workers stopped and when its reconcile loop stopped;
 * 200 while paused. {@code /healthz} stays 200 throughout: none of this is cured by a restart of a live process.
 */
class ReadyzEndToEndTest {

    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 1}
            """;
    private static final String SIMULATED = "create_latency: 20ms\ndelete_latency: 20ms\n";
    private static final Map<Setting, String> FLAGS = Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.SEED, "1");

    @TempDir
    Path dir;

    private static HttpResponse<String> get(InProcessService s, String path) throws Exception {
        return s.send("GET", path, null);
    }

    private static void assertReady(InProcessService s, String... details) throws Exception {
        HttpResponse<String> r = get(s, "/readyz");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"ready\":true").contains(details);
    }

    private static void assertNotReady(InProcessService s, String detail) throws Exception {
        HttpResponse<String> r = get(s, "/readyz");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.body()).contains("\"ready\":false").contains(detail);
        assertThat(get(s, "/healthz").statusCode()).as("liveness is not readiness").isEqualTo(200);
    }

    @Test
    void readyz_failsWithItsReason_whenNoPassRunsClusterWide_orThisReplicasWorkersOrLoopStopped_butNotWhilePaused()
            throws Exception {
        try (InProcessService s = InProcessService.start(dir, PRESETS, SIMULATED, FLAGS)) {
            // given: a running service
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertReady(s, "database reachable, migrations applied",
                    "reconcile loop and provisioner workers running", "last pass started"));

            // when: another replica takes the reconciliation lock and never runs a pass
            ReconciliationLockPort lock = s.service().injector().getInstance(ReconciliationLockPort.class);
            try (ReconciliationLockPort.HeldLock held = lock.tryAcquire().orElseThrow()) {
                // then: after three intervals (600 ms) with no pass anywhere, every replica is unready
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertNotReady(s,
                        "no reconciliation pass on any replica for "));
                assertThat(get(s, "/readyz").body()).contains("more than 3 reconcile intervals (600ms)");
            }
            // and once passes run again, ready again
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertReady(s, "last pass started"));

            // when paused: no pass runs on purpose, and that is not a reason to take replicas out of service
            assertThat(s.send("POST", "/api/v1/reconciliation/pause", null, "Authorization", "Bearer " + s.token())
                    .statusCode()).isBetween(200, 299);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertReady(s,
                    "reconciliation paused (no pass expected)"));
            assertThat(s.send("POST", "/api/v1/reconciliation/resume", null, "Authorization", "Bearer " + s.token())
                    .statusCode()).isBetween(200, 299);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertReady(s,
                    "last pass started"));

            // when this replica's workers stop
            s.service().injector().getInstance(WorkerPool.class).stop();
            assertNotReady(s, "provisioner workers stopped");

            // when its reconcile loop stops too
            s.service().injector().getInstance(ReconcileLoop.class).stop();
            assertNotReady(s, "reconcile loop stopped; provisioner workers stopped");
        }
    }
}
