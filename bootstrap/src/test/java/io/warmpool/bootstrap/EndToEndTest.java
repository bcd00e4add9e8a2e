package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.warmpool.adapters.db.JooqEventLogAdapter;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real service — embedded PostgreSQL, simulated provisioner, workers, reconciler, REST API — started as
 * {@code run} starts it, and driven through the CLI and the REST API as a user would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static InProcessService running;
    static WarmpoolService service;
    static String server;
    static String token;

    @BeforeAll
    static void startService() throws Exception {
        running = InProcessService.start(dir, """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 3}
                  - name: go-service
                    version: v1
                    presets:
                      - name: broken
                        parameters: {image: nope}
                        prebuilds: {instances: 1}
                """, """
                create_latency: {min: 20ms, max: 60ms}
                delete_latency: 20ms
                presets:
                  go-service/broken: {failure_rate: 1.0}
                """, Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.BACKOFF_INTERVAL, "100ms", Setting.SEED, "42"));
        service = running.service();
        server = running.server();
        token = running.token();
    }

    @AfterAll
    static void stopService() {
        if (running != null) {
            running.close();
        }
    }

    static CliRun cli(String... args) {
        return CliRun.of(args, "--server", server, "--state-dir", dir.resolve("state").toString());
    }

    static HttpResponse<String> http(String method, String path, String body, boolean auth) throws Exception {
        return auth ? running.send(method, path, body, "Content-Type", "application/json", "Authorization", "Bearer " + token)
                : running.send(method, path, body, "Content-Type", "application/json");
    }

    static JsonNode preset(String name) throws Exception {
        JsonNode status = JSON.readTree(cli("status", "--output", "json").out());
        for (JsonNode p : status.get("presets")) {
            if (p.get("preset").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no preset " + name + " in " + status);
    }

    @Test
    @Order(1)
    void poolsFillAndTheStatusCommandShowsThem() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(preset("python-dev/small").get("eligible").asInt()).isEqualTo(3));
        CliRun table = cli("status");
        assertThat(table.exit()).isZero();
        assertThat(table.out()).contains("PRESET", "python-dev/small (v1)", "go-service/broken (v1)");
    }

    static List<Event> events(String preset) {
        List<Event> all = new ArrayList<>(service.injector().getInstance(JooqEventLogAdapter.class).recent(1000));
        Collections.reverse(all); // oldest first
        return all.stream().filter(e -> (e.preset().template() + "/" + e.preset().preset()).equals(preset)).toList();
    }

    @Test
    @Order(2)
    void aFailingPresetBacksOffOneIntervalThenTwo_andIsHardLimitedAtItsThirdFailure_thenResumeLetsOneProbeThrough() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(preset("go-service/broken").get("status").asText()).isEqualTo("hard_limited"));
        JsonNode broken = preset("go-service/broken");
        assertThat(broken.get("consecutiveFailures").asInt()).isEqualTo(3);
        assertThat(broken.get("eligible").asInt()).isZero();

        // R3: each failure's backoff is one interval (100ms) longer than the last; the third hits the limit
        List<Event> backoffs = events("go-service/broken").stream().filter(e -> e.type() == EventType.BACKOFF).toList();
        assertThat(backoffs).hasSize(3);
        for (int k = 1; k <= 3; k++) {
            Event e = backoffs.get(k - 1);
            assertThat(e.details().get("failures")).isEqualTo(Integer.toString(k));
            assertThat(Duration.between(e.at(), Instant.parse(e.details().get("until")))).isEqualTo(Duration.ofMillis(100L * k));
        }
        assertThat(events("go-service/broken").stream().filter(e -> e.type() == EventType.HARD_LIMITED)).hasSize(1);
        // and never more than one create in flight while failing: creates started = failures
        assertThat(events("go-service/broken").stream().filter(e -> e.type() == EventType.CREATE_STARTED)).hasSize(3);

        CliRun resume = cli("presets", "resume", "go-service/broken");
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(resume.out()).contains("hard_limited -> healthy");

        // R4: exactly one probe goes through; it fails and the preset is hard-limited again at once
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(events("go-service/broken").stream().filter(e -> e.type() == EventType.HARD_LIMITED)).hasSize(2);
            assertThat(preset("go-service/broken").get("status").asText()).isEqualTo("hard_limited");
        });
        assertThat(events("go-service/broken").stream().filter(e -> e.type() == EventType.CREATE_STARTED)).hasSize(4);
        assertThat(preset("go-service/broken").get("consecutiveFailures").asInt()).isEqualTo(4);
    }

    @Test
    @Order(3)
    void aClaimReturnsAReadyWorkspaceWithItsOutputs_andReleaseDeletesIt() throws Exception {
        CliRun claim = cli("claim", "python-dev/small", "--owner", "alice", "--output", "json");
        assertThat(claim.exit()).as(claim.err()).isZero();
        JsonNode ws = JSON.readTree(claim.out());
        assertThat(ws.get("owner").asText()).isEqualTo("alice");
        assertThat(ws.get("outputs").get("url").asText()).contains("sim.invalid");

        HttpResponse<String> rest = http("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\",\"name\":\"bobs-ws\"}", true);
        assertThat(rest.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(rest.body()).get("name").asText()).isEqualTo("bobs-ws");

        // the claims nudge a pass: the pool refills
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(preset("python-dev/small").get("eligible").asInt()).isEqualTo(3));

        CliRun release = cli("release", ws.get("id").asText());
        assertThat(release.exit()).as(release.err()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> one = http("GET", "/api/v1/workspaces/" + ws.get("id").asText(), null, true);
            assertThat(JSON.readTree(one.body()).get("phase").asText()).isEqualToIgnoringCase("deleted");
        });
    }

    @Test
    @Order(4)
    void pauseStopsEveryActionAndResumeRestoresThem() throws Exception {
        assertThat(cli("pause").exit()).isZero();
        int before = events("python-dev/small").size();
        // a claim while paused: the pool is short, yet nothing is created
        assertThat(cli("claim", "python-dev/small", "--owner", "carol").exit()).isZero();
        int afterClaim = events("python-dev/small").size();
        assertThat(afterClaim).isEqualTo(before + 1);
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> events("python-dev/small").size() == afterClaim);
        assertThat(preset("python-dev/small").get("eligible").asInt()).isEqualTo(2);

        assertThat(cli("resume").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(preset("python-dev/small").get("eligible").asInt()).isEqualTo(3));
    }

    @Test
    @Order(5)
    void planPauseAndResumeWorkThroughTheCli() throws Exception {
        CliRun plan = cli("plan");
        assertThat(plan.exit()).isZero();
        assertThat(plan.out()).isNotBlank();
        assertThat(cli("pause").exit()).isZero();
        assertThat(JSON.readTree(cli("plan", "--output", "json").out()).get("paused").asBoolean()).isTrue();
        assertThat(cli("resume").exit()).isZero();
        assertThat(JSON.readTree(cli("status", "--output", "json").out()).get("paused").asBoolean()).isFalse();
    }

    @Test
    @Order(6)
    void badInputGetsAClearErrorAndExitCode2_failuresExitCode1() throws Exception {
        String statusBefore = JSON.readTree(cli("status", "--output", "json").out()).get("presets").toString();
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "templates:\n  - name: Bad Name\n    version: v1\n    presets:\n      - name: x\n        prebuilds: {instances: 5000}\n");
        CliRun apply = cli("presets", "apply", bad.toString());
        assertThat(apply.exit()).isEqualTo(2);
        assertThat(apply.err()).contains(bad + ":2", "must match", "between 0 and 1000");
        assertThat(JSON.readTree(cli("status", "--output", "json").out()).get("presets")).hasSize(2);
        assertThat(statusBefore).contains("python-dev/small").doesNotContain("Bad Name");

        CliRun malformed = cli("claim", "no-slash");
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).contains("template/preset");

        CliRun unknown = cli("claim", "nope/nothing", "--owner", "alice");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("nope/nothing");

        assertThat(http("GET", "/api/v1/status", null, false).statusCode()).isEqualTo(401);
        HttpResponse<String> wrongToken = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server + "/api/v1/status"))
                .header("Authorization", "Bearer " + token + "x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(wrongToken.body()).doesNotContain(token);
        HttpResponse<String> junk = http("POST", "/api/v1/presets/python-dev/small/claims", "{not json", true);
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(junk.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    @Order(7)
    void metricsHealthAndReadinessAreServed() throws Exception {
        HttpResponse<String> metrics = http("GET", "/metrics", null, false);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains(
                "warmpool_prebuilt_workspaces_created_total", "warmpool_prebuilt_workspaces_failed_total",
                "warmpool_prebuilt_workspaces_claimed_total", "warmpool_prebuilt_workspaces_claim_missed_total",
                "warmpool_prebuilt_workspaces_desired", "warmpool_prebuilt_workspaces_running",
                "warmpool_prebuilt_workspaces_eligible", "warmpool_prebuilt_workspaces_starting",
                "warmpool_preset_hard_limited", "warmpool_preset_consecutive_failures",
                "warmpool_preset_backoff_until_seconds", "warmpool_reconciliation_paused",
                "warmpool_reconciliation_duration_seconds", "warmpool_claim_duration_seconds",
                "warmpool_provisioner_jobs_in_flight", "warmpool_provisioner_job_duration_seconds");
        assertThat(http("GET", "/healthz", null, false).statusCode()).isEqualTo(200);
        assertThat(http("GET", "/readyz", null, false).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(8)
    void theDashboardCommand_printsAOneTimeSignInLink_thatSignsInOnce() throws Exception {
        CliRun first = cli("dashboard");
        CliRun second = cli("dashboard");

        assertThat(first.exit()).as(first.err()).isZero();
        String link = first.out().trim();
        assertThat(link).startsWith(server.replaceAll("/+$", "") + "/?code=").doesNotContain(token);
        assertThat(second.out().trim()).as("a fresh code each time").isNotEqualTo(link);
        HttpClient browser = HttpClient.newHttpClient();
        HttpResponse<String> signIn = browser.send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> reuse = browser.send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .startsWith("warmpool_session=").contains("HttpOnly", "SameSite=Strict"));
        assertThat(reuse.statusCode()).isEqualTo(401);
        // The API token in the URL is never a session.
        assertThat(http("GET", "/?token=" + token, null, false).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(9)
    void aRebindingHostHeader_isRefusedOnEveryRoute_theListeningAddressIsServed() throws Exception {
        int port = URI.create(server).getPort();
        for (String path : List.of("/metrics", "/healthz", "/readyz", "/", "/api/v1/status")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: rebound.attacker.example:" + port
                        + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(response).as(path).startsWith("HTTP/1.1 421").contains("misdirected request");
            }
        }
        assertThat(http("GET", "/metrics", null, false).statusCode()).isEqualTo(200);
    }
}
