package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI for scripts (issue 18) against the real service: every command's {@code --output json} is one JSON
 * document on stdout with the documented fields and exit 0; every failure class has its exit code (1 failure,
 * 2 bad usage, 3 nothing available, 4 unreachable) and, with {@code --output json}, one JSON error object on stderr
 * with the API problem's fields.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliScriptingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A port nothing listens on (the discard port). */
    static final String NO_SERVER = "http://127.0.0.1:9";

    @TempDir
    static Path dir;

    static InProcessService running;

    @BeforeAll
    static void startService() throws IOException {
        running = InProcessService.start(dir, """
                templates:
                  - name: python-dev
                    version: v1
                    presets:
                      - name: small
                        prebuilds: {instances: 2}
                      - name: none
                        prebuilds: {instances: 0}
                """, """
                create_latency: 10ms
                delete_latency: 10ms
                """, Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.SEED, "7"));
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    /** A command against the running service. */
    static CliRun cli(String... args) {
        return CliRun.of(args, "--server", running.server(), "--state-dir", running.stateDir().toString());
    }

    /** A command against a port nothing listens on. */
    static CliRun away(String... args) {
        return CliRun.of(args, "--server", NO_SERVER, "--state-dir", dir.resolve("no-state").toString());
    }

    /** The one JSON document on stdout of a run that succeeded; nothing on stderr. */
    static JsonNode document(CliRun run) throws IOException {
        assertThat(run.exit()).as("exit; stderr: %s", run.err()).isZero();
        assertThat(run.err()).as("stderr").isEmpty();
        return single(run.out());
    }

    /** The text holds exactly one JSON document (and nothing else but white space). */
    static JsonNode single(String text) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        JSON.readerFor(JsonNode.class).readValues(text).forEachRemaining(d -> docs.add((JsonNode) d));
        assertThat(docs).as("JSON documents in: %s", text).hasSize(1);
        return docs.get(0);
    }

    /** A failed run with --output json: the exit code, nothing on stdout, one JSON error object on one stderr line. */
    static JsonNode error(CliRun run, int exit) throws IOException {
        assertThat(run.exit()).as("exit; stderr: %s", run.err()).isEqualTo(exit);
        assertThat(run.out()).as("stdout").isEmpty();
        assertThat(run.err().strip().lines()).as("stderr lines").hasSize(1);
        JsonNode problem = single(run.err());
        assertThat(problem.get("type").asText()).startsWith("urn:warmpool:problem:");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(problem.get("error").asText()).isEqualTo(problem.get("detail").asText());
        return problem;
    }

    /** A token file only its owner reads (so no warning), for commands that need a token before they connect. */
    static Path tokenFile() throws IOException {
        Path file = dir.resolve("token");
        if (!Files.exists(file)) {
            Files.writeString(file, "some-t0ken-value");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    @Test
    @Order(1)
    void statusAndPlan_printOneDocumentEach() throws IOException {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode status = document(cli("status", "--output", "json"));
            JsonNode small = status.get("presets").findParents("preset").stream()
                    .filter(p -> p.get("preset").asText().equals("python-dev/small")).findFirst().orElseThrow();
            assertThat(small.get("eligible").asInt()).isEqualTo(2);
        });
        JsonNode status = document(cli("status", "-o", "json"));
        assertThat(status.has("at")).isTrue();
        assertThat(status.get("paused").isBoolean()).isTrue();
        assertThat(status.get("presets").isArray()).isTrue();

        JsonNode plan = document(cli("plan", "--output=json"));
        assertThat(plan.get("paused").isBoolean()).isTrue();
        assertThat(plan.get("presets").isArray()).isTrue();
    }

    @Test
    @Order(2)
    void claimAndRelease_printTheWorkspaceAndTheRelease() throws IOException {
        JsonNode claimed = document(cli("claim", "python-dev/small", "--owner", "scripter", "--output", "json"));
        assertThat(claimed.get("owner").asText()).isEqualTo("scripter");
        assertThat(claimed.get("name").asText()).isNotBlank();
        String id = claimed.get("id").asText();

        JsonNode released = document(cli("release", id, "--output", "json"));
        assertThat(released.get("released").asText()).isEqualTo(id);
    }

    @Test
    @Order(3)
    void aClaimMiss_isExit3_withTheNoPrebuildProblem_alsoAfterWaiting() throws IOException {
        CliRun text = cli("claim", "python-dev/none", "--owner", "scripter");
        assertThat(text.exit()).as(text.err()).isEqualTo(3);
        assertThat(text.err()).startsWith("error: ").doesNotStartWith("{");

        JsonNode miss = error(cli("claim", "python-dev/none", "--owner", "scripter", "--output", "json"), 3);
        assertThat(miss.get("type").asText()).isEqualTo("urn:warmpool:problem:no-prebuild");
        assertThat(miss.get("status").asInt()).isEqualTo(409);
        assertThat(miss.get("code").asText()).isEqualTo("no_prebuild_available");

        JsonNode waited = error(cli("claim", "python-dev/none", "--owner", "scripter", "--wait", "1s", "-o", "json"), 3);
        assertThat(waited.get("code").asText()).isEqualTo("no_prebuild_available");
        assertThat(waited.get("status").asInt()).isEqualTo(503);
    }

    @Test
    @Order(4)
    void pauseAndResume_printThePausedFlag() throws IOException {
        assertThat(document(cli("pause", "--output", "json")).get("paused").asBoolean()).isTrue();
        assertThat(document(cli("status", "--output", "json")).get("paused").asBoolean()).isTrue();
        assertThat(document(cli("resume", "--output", "json")).get("paused").asBoolean()).isFalse();
    }

    @Test
    @Order(5)
    void presetsResumeAndInvalidate_printTheServicesAnswer() throws IOException {
        JsonNode resumed = document(cli("presets", "resume", "python-dev/small", "--output", "json"));
        assertThat(resumed.get("preset").asText()).isEqualTo("python-dev/small");
        assertThat(resumed.has("from")).isTrue();
        assertThat(resumed.has("to")).isTrue();
        assertThat(resumed.get("consecutiveFailures").isInt()).isTrue();

        JsonNode invalidated = document(cli("presets", "invalidate", "python-dev/small", "--output", "json"));
        assertThat(invalidated.get("preset").asText()).isEqualTo("python-dev/small");
        assertThat(invalidated.get("version").asText()).isEqualTo("v1");
        assertThat(java.time.Instant.parse(invalidated.get("invalidatedAt").asText())).isNotNull();
    }

    @Test
    @Order(6)
    void dashboard_printsTheLinkAndItsExpiry() throws IOException {
        JsonNode link = document(cli("dashboard", "--output", "json"));
        assertThat(link.get("url").asText()).startsWith(running.server() + "/?code=");
        assertThat(java.time.Instant.parse(link.get("expiresAt").asText())).isNotNull();
    }

    @Test
    @Order(7)
    void version_printsTheClientsBuild_andTheServersWhenReachable() throws IOException {
        JsonNode version = document(cli("version", "--output", "json"));
        BuildInfo mine = BuildInfo.current();
        assertThat(version.get("client").get("version").asText()).isEqualTo(mine.version());
        assertThat(version.get("client").get("revision").asText()).isEqualTo(mine.revision());
        JsonNode server = version.get("server");
        assertThat(server.get("url").asText()).isEqualTo(running.server());
        assertThat(server.get("reachable").asBoolean()).as("%s", server).isTrue();
        // The service in this build answers its version, or (before GET /api/v1/version) 404: "older than this endpoint".
        if (server.get("version").isNull()) {
            assertThat(server.get("detail").asText()).isEqualTo("older than this endpoint");
        } else {
            assertThat(server.get("version").asText()).isEqualTo(mine.version());
        }
    }

    @Test
    void aServiceError_isExit1_withTheServicesProblemPassedThrough() throws IOException {
        CliRun text = cli("presets", "resume", "python-dev/nope");
        assertThat(text.exit()).as(text.err()).isEqualTo(1);
        assertThat(text.err()).startsWith("error: ");

        JsonNode problem = error(cli("presets", "resume", "python-dev/nope", "--output", "json"), 1);
        assertThat(problem.get("status").asInt()).isEqualTo(404);
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:not-found");

        JsonNode release = error(cli("release", "00000000-0000-0000-0000-000000000001", "-o", "json"), 1);
        assertThat(release.get("status").asInt()).isEqualTo(404);
    }

    @Test
    void badUsage_isExit2_withTheUsageProblem_whetherPicocliOrTheCommandFoundIt() throws IOException {
        for (String[] args : List.of(
                new String[] {"status", "--output", "json", "--nope"},            // picocli: unknown option
                new String[] {"--output=json", "status"},                         // on the top command, which has none
                new String[] {"claim", "--output", "json"},                       // picocli: missing parameter
                new String[] {"claim", "no-slash", "-o", "json"},                 // the command's own check
                new String[] {"claim", "python-dev/small", "--owner", "Bad Owner", "-ojson"},
                new String[] {"release", "not-a-uuid", "--output", "json"},
                new String[] {"presets", "--output", "json"},                     // no subcommand
                new String[] {"version", "extra", "--output", "json"},
                new String[] {"completion", "fish", "--output", "json"})) {
            JsonNode problem = error(cli(args), 2);
            assertThat(problem.get("type").asText()).as(String.join(" ", args)).isEqualTo("urn:warmpool:problem:usage");
            assertThat(problem.has("status")).as("a client-side problem has no status").isFalse();
        }
        // A configuration problem is bad usage too.
        JsonNode config = error(CliRun.of(new String[] {"status", "--server", "not a url", "--output", "json"}), 2);
        assertThat(config.get("detail").asText()).contains("--server: 'not a url' is not a URL");
    }

    @Test
    void anUnreachableService_isExit4_withTheUnreachableProblem_forEveryClientCommand() throws IOException {
        for (String[] args : List.of(new String[] {"status"}, new String[] {"plan"},
                new String[] {"claim", "python-dev/small", "--owner", "a"}, new String[] {"release",
                        "00000000-0000-0000-0000-000000000001"}, new String[] {"pause"}, new String[] {"resume"},
                new String[] {"presets", "resume", "python-dev/small"}, new String[] {"presets", "invalidate", "python-dev/small"},
                new String[] {"dashboard", "--token-file", tokenFile().toString()},
                new String[] {"version"})) { // --server given (by away): asked about, so unreachable is exit 4
            CliRun text = away(args);
            assertThat(text.exit()).as(String.join(" ", args) + ": " + text.err()).isEqualTo(4);
            assertThat(text.err()).contains("cannot reach the warmpool service at " + NO_SERVER);

            List<String> json = new ArrayList<>(List.of(args));
            json.addAll(List.of("--output", "json"));
            JsonNode problem = error(away(json.toArray(String[]::new)), 4);
            assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:unreachable");
            assertThat(problem.has("status")).isFalse();
        }
    }

    @Test
    void theDashboardWithoutAToken_isExit2_becauseTheTokenIsMissingInput() throws IOException {
        // No token anywhere: invalid configuration (exit 2), said before anything is sent.
        JsonNode problem = error(CliRun.of(new String[] {"dashboard", "--output", "json"}, "--server", NO_SERVER,
                "--state-dir", dir.resolve("no-state").toString()), 2);
        assertThat(problem.get("detail").asText()).contains("is needed to ask for a sign-in link");
    }

    @Test
    void aWarningBesideJsonOutput_isAJsonObjectOfItsOwnOnStderr() throws IOException {
        Path loose = Files.writeString(dir.resolve("loose-token"), running.token());
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));

        CliRun run = CliRun.of(new String[] {"status", "--output", "json"}, "--server", running.server(),
                "--state-dir", dir.resolve("no-state").toString(), "--token-file", loose.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        single(run.out());
        List<String> lines = run.err().strip().lines().toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode warning = single(line);
            assertThat(warning.get("warning").asText()).isNotBlank();
        }
        assertThat(run.err()).contains("loose-token");
    }
}
