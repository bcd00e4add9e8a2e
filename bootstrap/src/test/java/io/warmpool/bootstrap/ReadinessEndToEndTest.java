package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Setting;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness (SPEC R10) and liveness (R11) end to end: the real service in this JVM (embedded PostgreSQL, workers,
 * reconciler, REST API) with the command provisioner running the real {@code examples/provisioners/dir-provisioner.sh}
 * for create, delete and check — every workspace a directory — and, for agent readiness, the real
 * {@code agent-ready.sh} calling the ready route with curl. Short intervals throughout.
 */
class ReadinessEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("../examples/provisioners/dir-provisioner.sh").toAbsolutePath().normalize();
    private static final Path AGENT = Path.of("../examples/provisioners/agent-ready.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private InProcessService start(String prebuilds, Map<Setting, String> more) throws IOException {
        Path root = Files.createDirectories(dir.resolve("workspaces"));
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PROVISIONER, "command");
        for (var t : Map.of(Setting.COMMAND_CREATE, "create", Setting.COMMAND_DELETE, "delete",
                Setting.COMMAND_CHECK, "check").entrySet()) {
            flags.put(t.getKey(), JSON.writeValueAsString(List.of("bash", SCRIPT.toString(), t.getValue(), root.toString())));
        }
        flags.put(Setting.RECONCILE_INTERVAL, "200ms");
        flags.put(Setting.READINESS_INTERVAL, "200ms");
        flags.put(Setting.JOB_HEARTBEAT_TIMEOUT, "600ms");
        flags.put(Setting.SEED, "15");
        flags.putAll(more);
        return InProcessService.start(dir, """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: %s
                """.formatted(prebuilds), "{}\n", flags);
    }

    private Path root() {
        return dir.resolve("workspaces");
    }

    private static HttpResponse<String> claim(InProcessService s, String owner) throws Exception {
        return s.send("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\": \"" + owner + "\"}",
                "Authorization", "Bearer " + s.token(), "Content-Type", "application/json");
    }

    private static JsonNode get(InProcessService s, String path) throws Exception {
        HttpResponse<String> r = s.send("GET", path, null, "Authorization", "Bearer " + s.token());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode preset(InProcessService s) throws Exception {
        return get(s, "/api/v1/presets/python-dev/small");
    }

    private static List<JsonNode> workspaces(InProcessService s) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        get(s, "/api/v1/workspaces?preset=python-dev/small").get("items").forEach(out::add);
        return out;
    }

    private static int checksOf(Path workspaceDir) throws IOException {
        Path f = workspaceDir.resolve("checks");
        return Files.exists(f) ? Integer.parseInt(Files.readString(f).trim()) : 0;
    }

    @Test
    void aProvisionerReadinessPreset_isNeverClaimableBeforeItsCheckSaysReady() throws Exception {
        // given workspaces that answer "starting" to their first 4 checks
        Files.createDirectories(root());
        Files.writeString(root().resolve(".ready-after-checks"), "4");
        try (InProcessService s = start("{instances: 1, readiness: {check: provisioner, timeout: 1m}}", Map.of())) {
            // the create succeeds, the workspace is provisioned and counted as starting, not eligible
            await().atMost(Duration.ofSeconds(30)).until(() -> workspaces(s).stream()
                    .anyMatch(w -> w.get("phase").asText().equals("provisioned")));
            JsonNode view = preset(s);
            assertThat(view.get("eligible").asInt()).isZero();
            assertThat(view.get("starting").asInt()).isEqualTo(1);
            assertThat(view.get("provisioned").asInt()).isEqualTo(1);
            assertThat(view.get("readiness").get("check").asText()).isEqualTo("provisioner");

            // when claims keep coming
            java.util.concurrent.atomic.AtomicInteger missed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> got = new java.util.concurrent.atomic.AtomicReference<>();
            await("a claim gets the workspace once it is ready").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        HttpResponse<String> r = claim(s, "alice");
                        if (r.statusCode() == 201) {
                            got.set(r);
                            return true;
                        }
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
                        missed.incrementAndGet();
                        return false;
                    });
            HttpResponse<String> hit = got.get();
            int misses = missed.get();
            // then the claim that got it came after the fifth check (the first "ready"), and the ones before missed
            Path workspace = Path.of(JSON.readTree(hit.body()).get("outputs").get("path").asText());
            assertThat(checksOf(workspace)).isGreaterThanOrEqualTo(5);
            assertThat(misses).isPositive();
            // and becoming ready was the R3 success: no failures counted
            assertThat(preset(s).get("consecutiveFailures").asInt()).isZero();
        }
    }

    @Test
    void aWorkspaceThatNeverGetsReady_failsItsCreateAtTheTimeout_andThePresetBacksOffExactlyAsR3Says() throws Exception {
        Files.createDirectories(root());
        Files.writeString(root().resolve(".ready-after-checks"), "1000000");
        try (InProcessService s = start("{instances: 1, readiness: {check: provisioner, timeout: 1s}}",
                Map.of(Setting.BACKOFF_INTERVAL, "2s", Setting.FAILURE_HARD_LIMIT, "2"))) {
            // first failure: k = 1, retry not before failure + 1 × 2 s
            await().atMost(Duration.ofSeconds(30)).until(() -> preset(s).get("consecutiveFailures").asInt() >= 1);
            JsonNode first = preset(s);
            Instant failedAt = Instant.parse(first.get("lastFailureAt").asText());
            Instant retry = Instant.parse(first.get("retryNotBefore").asText());
            assertThat(Duration.between(failedAt, retry)).isEqualTo(Duration.ofSeconds(2));
            assertThat(first.get("status").asText()).isEqualTo("healthy");
            // the timed-out workspace is a failed prebuild, never claimable
            List<JsonNode> all = workspaces(s);
            assertThat(all).hasSize(1);
            JsonNode firstWorkspace = all.get(0);
            assertThat(firstWorkspace.get("phase").asText()).isIn("failed", "deleting", "deleted");
            assertThat(Duration.between(Instant.parse(firstWorkspace.get("createdAt").asText()), failedAt))
                    .as("not before the timeout").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(claim(s, "alice").statusCode()).isEqualTo(409);

            // second failure: the probe after the backoff, k = 2 → hard limited at the limit 2, retry + 2 × 2 s
            await().atMost(Duration.ofSeconds(30)).until(() -> preset(s).get("consecutiveFailures").asInt() >= 2);
            JsonNode second = preset(s);
            Instant failedAt2 = Instant.parse(second.get("lastFailureAt").asText());
            assertThat(Duration.between(failedAt2, Instant.parse(second.get("retryNotBefore").asText())))
                    .isEqualTo(Duration.ofSeconds(4));
            assertThat(second.get("status").asText()).isEqualTo("hard_limited");
            // the second create was not enqueued before the first backoff ended
            JsonNode probe = workspaces(s).stream().filter(w -> !w.get("id").equals(firstWorkspace.get("id")))
                    .findFirst().orElseThrow();
            assertThat(Instant.parse(probe.get("createdAt").asText())).isAfterOrEqualTo(retry);

            // hard limited: nothing more is created
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> workspaces(s).size() == 2);
            assertThat(preset(s).get("consecutiveFailures").asInt()).isEqualTo(2);
        }
    }

    @Test
    void liveness_aDirectoryDeletedBehindWarmpoolsBack_isNeverHandedOutAfterTheNextCheck_deletedAsUnhealthy_andReplaced()
            throws Exception {
        try (InProcessService s = start("{instances: 1, health: {interval: 300ms, unhealthy_after: 2}}", Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> preset(s).get("eligible").asInt() == 1);
            JsonNode doomed = workspaces(s).get(0);
            String id = doomed.get("id").asText();
            // when its directory disappears behind warmpool's back
            try (Stream<Path> files = Files.walk(root().resolve(id))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            // then the next check answers gone: it leaves the pool at once, never to be handed out
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    !get(s, "/api/v1/workspaces/" + id).get("phase").asText().equals("running"));
            // and it is deleted with the reason UNHEALTHY, and replaced by a new ready prebuild; k unchanged
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode view = preset(s);
                return view.get("eligible").asInt() == 1 && workspaces(s).size() == 2;
            });
            List<String> reasons = new ArrayList<>();
            get(s, "/api/v1/workspaces/" + id + "/builds").get("items").forEach(b -> reasons.add(
                    b.get("transition").asText() + ":" + b.get("reason").asText()));
            assertThat(reasons).contains("delete:unhealthy");
            assertThat(preset(s).get("consecutiveFailures").asInt()).isZero();
            HttpResponse<String> hit = claim(s, "bob");
            assertThat(hit.statusCode()).isEqualTo(201);
            assertThat(JSON.readTree(hit.body()).get("id").asText()).isNotEqualTo(id);
            String metrics = s.send("GET", "/metrics", null).body();
            assertThat(metrics).contains(
                    "warmpool_prebuilt_workspaces_unhealthy_total{preset=\"small\",template=\"python-dev\"} 1.0");
        }
    }

    @Test
    void anAgentReadinessPreset_becomesEligibleOnlyWhenItsWorkspaceCallsTheReadyRouteWithItsOwnToken() throws Exception {
        try (InProcessService s = start("{instances: 2, readiness: {check: agent, timeout: 1m}}", Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workspaces(s).stream()
                    .filter(w -> w.get("phase").asText().equals("provisioned")).count() == 2);
            List<JsonNode> two = workspaces(s);
            String a = two.get(0).get("id").asText();
            String b = two.get(1).get("id").asText();
            Path requestA = root().resolve(a).resolve("request.json");
            Path requestB = root().resolve(b).resolve("request.json");
            String tokenA = JSON.readTree(Files.readString(requestA)).get("agent_token").asText();
            String tokenB = JSON.readTree(Files.readString(requestB)).get("agent_token").asText();
            assertThat(JSON.readTree(Files.readString(requestA)).get("agent_ready_url").asText())
                    .isEqualTo(s.server() + "/api/v1/workspaces/" + a + "/ready");
            // provisioned, not ready: nothing to claim, whatever time passes
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> claim(s, "alice").statusCode() == 409);

            // another workspace's token → 403; none or garbage → 401; the API token is not accepted there either
            String ready = "/api/v1/workspaces/" + a + "/ready";
            assertThat(s.send("POST", ready, null, "Authorization", "Bearer " + tokenB).statusCode()).isEqualTo(403);
            assertThat(s.send("POST", ready, null).statusCode()).isEqualTo(401);
            assertThat(s.send("POST", ready, null, "Authorization", "Bearer garbage").statusCode()).isEqualTo(401);
            assertThat(s.send("POST", ready, null, "Authorization", "Bearer " + s.token()).statusCode()).isEqualTo(401);
            // an agent token is refused on every other route
            assertThat(s.send("GET", "/api/v1/workspaces/" + a, null, "Authorization", "Bearer " + tokenA).statusCode())
                    .isEqualTo(401);
            assertThat(claim(s, "alice").statusCode()).isEqualTo(409);

            // the example agent with another workspace's token: 403 ends it at once (only a 409 is asked again)
            Path forged = root().resolve("forged-request.json");
            Files.writeString(forged, "{\"agent_token\": \"" + tokenB + "\", \"agent_ready_url\": \""
                    + s.server() + ready + "\"}");
            Process wrong = new ProcessBuilder("bash", AGENT.toString(), forged.toString()).redirectErrorStream(true).start();
            String wrongSaid = new String(wrong.getInputStream().readAllBytes());
            assertThat(wrong.waitFor()).as(wrongSaid).isEqualTo(22);
            assertThat(wrongSaid).contains("HTTP 403");
            assertThat(claim(s, "alice").statusCode()).isEqualTo(409);

            // when workspace a's agent calls with its own token (the example agent script, curl)
            Process agent = new ProcessBuilder("bash", AGENT.toString(), requestA.toString())
                    .redirectErrorStream(true).start();
            String said = new String(agent.getInputStream().readAllBytes());
            assertThat(agent.waitFor()).as(said).isZero();

            // then a, and only a, is claimable; calling again is idempotent
            HttpResponse<String> hit = claim(s, "alice");
            assertThat(hit.statusCode()).as(hit.body()).isEqualTo(201);
            assertThat(JSON.readTree(hit.body()).get("id").asText()).isEqualTo(a);
            assertThat(claim(s, "carol").statusCode()).isEqualTo(409);
            assertThat(get(s, "/api/v1/workspaces/" + b).get("phase").asText()).isEqualTo("provisioned");
            assertThat(s.send("POST", ready, null, "Authorization", "Bearer " + tokenA).statusCode())
                    .as("already ready (and claimed since)").isEqualTo(200);
        }
    }
}
