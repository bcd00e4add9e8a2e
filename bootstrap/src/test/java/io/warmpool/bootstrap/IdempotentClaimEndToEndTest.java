package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.adapters.db.PostgresDatabase;
import io.warmpool.bootstrap.config.Setting;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent claims (SPEC R12 {@code Idempotency-Key}) through the real service — embedded PostgreSQL, simulated
 * provisioner, REST API and CLI: a retried or concurrent claim with the same key gets the same workspace and the
 * same response, never a second workspace; the key with another owner or preset is a 409; a miss is not stored;
 * expired keys are pruned.
 */
class IdempotentClaimEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLAIMS = "/api/v1/presets/python-dev/small/claims";

    @TempDir
    static Path dir;

    static InProcessService running;

    @BeforeAll
    static void startService() throws Exception {
        running = InProcessService.start(dir, """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 4}
                      - name: empty
                        parameters: {cpu: "1"}
                        prebuilds: {instances: 0}
                """, "create_latency: 20ms\ndelete_latency: 20ms\n",
                Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.SEED, "3"));
    }

    @AfterAll
    static void stopService() {
        if (running != null) {
            running.close();
        }
    }

    private static DSLContext dsl() {
        return running.service().injector().getInstance(PostgresDatabase.class).dsl();
    }

    private static HttpResponse<String> claim(String path, String body, String key) throws Exception {
        return running.send("POST", path, body, "Content-Type", "application/json",
                "Authorization", "Bearer " + running.token(), "Idempotency-Key", key);
    }

    private static CliRun cli(String... args) {
        return CliRun.of(args, "--server", running.server(), "--state-dir", running.stateDir().toString());
    }

    private static int claimedBy(String owner) {
        return dsl().fetchOne("select count(*) from workspaces where owner = ?", owner).get(0, Integer.class);
    }

    private static void awaitEligible(int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> dsl().fetchOne(
                "select count(*) from workspaces w join presets p on p.id = w.preset_id "
                        + "where p.name = 'small' and w.owner = 'prebuilds' and w.phase = 'running'").get(0, Integer.class) >= n);
    }

    @Test
    void theSameKeyAnswersTheSameResponse_sequentially_concurrently_andFromTheCli() throws Exception {
        awaitEligible(4);

        // a retry after a "timeout": the same status and body, marked as replayed; one workspace
        HttpResponse<String> first = claim(CLAIMS, "{\"owner\":\"alice\"}", "retry-after-timeout");
        HttpResponse<String> again = claim(CLAIMS, "{\"owner\":\"alice\"}", "retry-after-timeout");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(claimedBy("alice")).isEqualTo(1);

        // the same key with another owner, or another preset: 409, nothing taken
        HttpResponse<String> otherOwner = claim(CLAIMS, "{\"owner\":\"bob\"}", "retry-after-timeout");
        HttpResponse<String> otherPreset = claim("/api/v1/presets/python-dev/empty/claims", "{\"owner\":\"alice\"}",
                "retry-after-timeout");
        assertThat(otherOwner.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(otherOwner.body()).get("error").asText())
                .startsWith("Idempotency-Key 'retry-after-timeout' was used within the last 24 h for a claim of "
                        + "python-dev/small by alice");
        assertThat(otherPreset.statusCode()).isEqualTo(409);
        assertThat(claimedBy("bob")).isZero();

        // a bad key: 400 naming the header
        HttpResponse<String> bad = claim(CLAIMS, "{\"owner\":\"alice\"}", "has space");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).startsWith("Idempotency-Key must be visible ASCII");

        // eight clients at once with one key: one workspace, one body for all
        awaitEligible(3);
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CyclicBarrier start = new CyclicBarrier(clients);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return claim(CLAIMS, "{\"owner\":\"carol\"}", "together");
                }));
            }
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(201));
        assertThat(answers).extracting(HttpResponse::body).containsOnly(answers.get(0).body());
        assertThat(answers).filteredOn(r -> r.headers().firstValue("Idempotent-Replayed").isEmpty()).hasSize(1);
        assertThat(claimedBy("carol")).isEqualTo(1);

        // the CLI: --idempotency-key, the same workspace twice
        awaitEligible(2);
        CliRun one = cli("claim", "python-dev/small", "--owner", "dave", "--idempotency-key", "cli-1",
                "--output", "json");
        CliRun two = cli("claim", "python-dev/small", "--owner", "dave", "--idempotency-key", "cli-1",
                "--output", "json");
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(two.exit()).as(two.err()).isZero();
        JsonNode ws = JSON.readTree(one.out());
        assertThat(JSON.readTree(two.out())).isEqualTo(ws);
        assertThat(claimedBy("dave")).isEqualTo(1);
        CliRun conflict = cli("claim", "python-dev/small", "--owner", "erin", "--idempotency-key", "cli-1");
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.err()).contains("Idempotency-Key 'cli-1' was used");
        CliRun badKey = cli("claim", "python-dev/small", "--owner", "erin", "--idempotency-key", "k".repeat(256));
        assertThat(badKey.exit()).isEqualTo(2);
        assertThat(badKey.err()).contains("--idempotency-key: Idempotency-Key must be at most 255 characters");
    }

    @Test
    void aMissIsNotStored_soARetryWithTheKeyCanSucceed() throws Exception {
        HttpResponse<String> missed = claim("/api/v1/presets/python-dev/empty/claims", "{\"owner\":\"frank\"}", "miss-1");
        assertThat(missed.statusCode()).isEqualTo(409);
        assertThat(missed.body()).contains("no prebuilt workspace available").contains("\"code\":\"no_prebuild_available\"");
        assertThat(dsl().fetchOne("select count(*) from claim_idempotency_keys where key = 'miss-1'").get(0, Integer.class))
                .isZero();
        CliRun cliMiss = cli("claim", "python-dev/empty", "--owner", "frank");
        assertThat(cliMiss.exit()).as("3: nothing available (SPEC §5) " + cliMiss.err()).isEqualTo(3);
        assertThat(cliMiss.err()).contains("no prebuilt workspace available for python-dev/empty");

        awaitEligible(1);
        HttpResponse<String> retried = claim(CLAIMS, "{\"owner\":\"frank\"}", "miss-1");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(201);
    }

    @Test
    void keysOlderThan24h_arePrunedByLaterKeyedClaims() throws Exception {
        dsl().execute("insert into claim_idempotency_keys (key, template, preset, owner, workspace_id, preset_version,"
                + " name, workspace_created_at, claimed_at, outputs) select 'old-' || g, 'python-dev', 'small', 'zed',"
                + " gen_random_uuid(), 'v1', 'n', now() - interval '30 hours', now() - interval '25 hours', '{}'::jsonb"
                + " from generate_series(1, 5) g");

        // a keyed claim, hit or miss, deletes a bounded batch of expired keys
        claim("/api/v1/presets/python-dev/empty/claims", "{\"owner\":\"gina\"}", "prune-trigger");

        assertThat(dsl().fetchOne("select count(*) from claim_idempotency_keys where key like 'old-%'").get(0, Integer.class))
                .isZero();
    }
}
