package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's log as an operator reads it (issue 18), asserted on real runs: {@code Main run} in a JVM of its own
 * (this test's classpath), its stdout and stderr in files, driven over the REST API. In text and in JSON: the line
 * format and its fields, a WARN for every failed create (the simulated provisioner's always-failing preset) with
 * k and retryNotBefore, the ERROR of the hard limit, the pass line with its id, operator actions at INFO with the
 * token's name and the request id, the no-presets warning of a first start outside the source tree, no INFO
 * chatter of the libraries, and never the API token.
 */
class LoggingEndToEndTest {

    static final String TOKEN = "logging-t0ken-S3CRET-5f4e3d2c1b0a";
    static final ObjectMapper JSON = new ObjectMapper();

    static final String PRESETS = """
            templates:
              - name: go-service
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 1}
                  - name: broken
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 1}
            """;

    /** One text line: the instant with milliseconds, the level padded to 5, the component padded to 10, the message. */
    static final Pattern TEXT_LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (ERROR|WARN |INFO |DEBUG|TRACE) [a-z0-9]+ +\\S.*$");
    static final String WORKSPACE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @TempDir
    Path dir;

    @Test
    void textLog_oneLinePerRecord_withTheFieldsAnOperatorNeeds() throws Exception {
        // A first start in a directory without a presets file: the service says so, then presets are applied live.
        Process service = start(List.of());
        try {
            String base = "http://" + awaitListening(false);
            assertThat(stderr()).contains("WARN  presets    no presets: the store has none and no presets file was given")
                    .contains("`warmpool presets apply FILE`");
            HttpResponse<String> applied = send(base, "POST", "/api/v1/presets", PRESETS, "apply-42");
            assertThat(applied.statusCode()).isEqualTo(200);
            assertThat(applied.headers().firstValue("X-Request-Id")).as("the client's id, echoed").hasValue("apply-42");
            assertThat(send(base, "GET", "/api/v1/status", null, "not a token!").headers().firstValue("X-Request-Id"))
                    .as("an id that is no short token is replaced").hasValueSatisfying(id -> assertThat(id).matches("req-\\d+"));
            await().atMost(Duration.ofSeconds(120)).until(() -> stderr().contains(" limited=1 failed=3 "));
            assertThat(send(base, "POST", "/api/v1/reconciliation/pause", null, null).statusCode()).isBetween(200, 204);
            await().atMost(Duration.ofSeconds(30)).until(() -> stderr().contains("reason=paused"));
        } finally {
            stop(service);
        }
        String log = stderr();
        List<String> lines = log.lines().toList();

        assertThat(Files.readString(dir.resolve("stdout"), UTF_8)).as("off a terminal, nothing but the log, on stderr").isEmpty();
        assertThat(lines).as(log).isNotEmpty().allSatisfy(l -> assertThat(l).matches(TEXT_LINE));
        assertThat(log).as("the libraries' INFO chatter is quiet")
                .doesNotContain("Javalin started", "HikariPool", "Start completed", "Migrating schema", "jetty-12")
                .doesNotContainPattern(" INFO  (jetty|javalin|hikari|flyway|jooq|jdbc) ");
        assertThat(log).as("the credential").doesNotContain(TOKEN);

        String context = " job=\\d+ build=build-\\d+ preset=go-service@v1/broken workspace=" + WORKSPACE;
        for (int k = 1; k <= 3; k++) {
            assertThat(log).containsPattern("(?m)^\\S+ WARN  worker     create failed: simulated failure \\(failure_rate 1\\.0\\) k=" + k
                    + " retryNotBefore=\\S+Z" + context + "$");
        }
        assertThat(log).containsPattern("(?m)^\\S+ ERROR worker     preset is hard_limited after 3 consecutive failed creates; .*"
                + "`warmpool presets resume go-service/broken` k=3" + context + "$");
        assertThat(log).containsPattern("(?m)^\\S+ INFO  operator   applied presets: 1 template\\(s\\), 1 new version\\(s\\), "
                + "2 preset\\(s\\) created, 0 updated request=apply-42 actor=admin$");
        assertThat(log).containsPattern("(?m)^\\S+ INFO  operator   paused reconciliation \\(every replica\\) request=req-\\d+ actor=admin$");
        assertThat(log).containsPattern("(?m)^\\S+ INFO  reconcile  pass started=\\S+Z presets=2 eligible=1/2 creates=0 deletes=0 "
                + "cancels=0 backoff=[01] limited=1 failed=3 errors=0 tookMs=\\d+ pass=\\d+$");
        assertThat(log).containsPattern("(?m)^\\S+ INFO  reconcile  pass skipped started=\\S+Z reason=paused pass=\\d+$");
        assertThat(log).contains(" INFO  reconcile  dashboard: run `warmpool dashboard` (./warmpool in a source tree, bin/warmpool in a release) for a one-time sign-in link");
    }

    /**
     * Ctrl-C on a terminal signals the whole foreground process group. The embedded PostgreSQL runs in a session of
     * its own, so it does not take that SIGINT as a fast shutdown under the service's last pass and jobs: the service
     * stops it after them, and the stop logs no warning (before, a nudge listener's or Hikari's WARN).
     */
    @Test
    void ctrlC_onTheTerminalsProcessGroup_stopsCleanly_theDatabaseLast() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")),
                "needs util-linux setsid to give the service a process group of its own, as a terminal does");
        Files.writeString(dir.resolve("presets.yaml"), """
                templates:
                  - name: go-service
                    version: v1
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds: {instances: 2}
                """);
        Process service = start(List.of("--presets", dir.resolve("presets.yaml").toString()), true);
        try {
            awaitListening(false);
            await().atMost(Duration.ofSeconds(120)).until(() -> stderr().contains(" eligible=2/2 "));
            // The process is the leader of its own group (setsid): signal the group, as a terminal's Ctrl-C does.
            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + service.pid()).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(service.exitValue()).as(stderr()).isZero();
        } finally {
            stop(service);
        }
        String log = stderr();
        assertThat(log).as("no warning or error in a clean stop").doesNotContainPattern("(?m)^\\S+ (WARN |ERROR) ");
        assertThat(log).containsPattern("(?m)^\\S+ INFO  service    stopping: the pass in progress and the workers' jobs finish")
                .containsPattern("(?m)^\\S+ INFO  service    stopped in \\d+ ms$");
    }

    @Test
    void jsonLog_oneObjectPerLine_withStableFieldNames() throws Exception {
        Files.writeString(dir.resolve("presets.yaml"), PRESETS);
        Process service = start(List.of("--log-format", "json", "--presets", dir.resolve("presets.yaml").toString(),
                "--failure-hard-limit", "2"));
        try {
            String base = "http://" + awaitListening(true);
            await().atMost(Duration.ofSeconds(120)).until(() -> stderr().contains("hard_limited"));
            assertThat(send(base, "POST", "/api/v1/presets/go-service/broken/resume", null, null).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> stderr().contains("resumed preset"));
        } finally {
            stop(service);
        }
        String log = stderr();
        assertThat(log).as("the credential").doesNotContain(TOKEN);
        List<JsonNode> records = new ArrayList<>();
        for (String line : log.lines().toList()) {
            JsonNode r = JSON.readTree(line); // every line is one JSON object
            assertThat(r.isObject()).as(line).isTrue();
            assertThat(r.path("ts").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(r.path("level").asText()).as(line).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
            assertThat(List.of("component", "logger", "thread", "message")).allSatisfy(f -> assertThat(r.hasNonNull(f)).as(line + ": " + f).isTrue());
            records.add(r);
        }
        assertThat(records).noneMatch(r -> r.path("level").asText().equals("INFO") && !r.path("logger").asText().startsWith("io.warmpool"));

        JsonNode failed = records.stream().filter(r -> r.path("message").asText().startsWith("create failed: ")).findFirst().orElseThrow();
        assertThat(failed.path("level").asText()).isEqualTo("WARN");
        assertThat(failed.path("component").asText()).isEqualTo("worker");
        assertThat(failed.path("message").asText()).isEqualTo("create failed: simulated failure (failure_rate 1.0)");
        assertThat(failed.path("k").isInt()).as(failed.toString()).isTrue();
        assertThat(failed.path("retryNotBefore").asText()).endsWith("Z");
        assertThat(failed.path("preset").asText()).isEqualTo("go-service@v1/broken");
        assertThat(failed.path("workspace").asText()).matches(WORKSPACE);
        assertThat(failed.path("job").asText()).matches("\\d+");
        assertThat(failed.path("build").asText()).isEqualTo("build-" + failed.path("job").asText());

        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("level").asText()).isEqualTo("ERROR");
            assertThat(r.path("message").asText()).startsWith("preset is hard_limited after 2 consecutive failed creates");
            assertThat(r.path("preset").asText()).isEqualTo("go-service@v1/broken");
        });
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("message").asText()).isEqualTo("pass");
            assertThat(r.path("component").asText()).isEqualTo("reconcile");
            assertThat(r.path("presets").asInt()).isEqualTo(2);
            assertThat(r.path("tookMs").isNumber()).isTrue();
            assertThat(r.path("pass").asText()).matches("\\d+");
        });
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("component").asText()).isEqualTo("operator");
            assertThat(r.path("message").asText()).startsWith("resumed preset (was hard_limited");
            assertThat(r.path("actor").asText()).isEqualTo("admin");
            assertThat(r.path("request").asText()).matches("req-\\d+");
            assertThat(r.path("preset").asText()).isEqualTo("go-service@v1/broken");
        });
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("component").asText()).isEqualTo("operator");
            assertThat(r.path("message").asText()).startsWith("applied presets: ");
            assertThat(r.path("file").asText()).endsWith("presets.yaml");
        });
    }

    /** {@code Main run} in its own JVM, in {@link #dir} (no presets file there unless a test writes one). */
    Process start(List<String> extra) throws IOException {
        return start(extra, false);
    }

    /** @param ownSession in a session (and process group) of its own, as a terminal's foreground job */
    Process start(List<String> extra, boolean ownSession) throws IOException {
        Files.writeString(dir.resolve("simulated.yaml"), """
                create_latency: 50ms
                delete_latency: 50ms
                presets:
                  go-service/broken: {failure_rate: 1.0}
                """);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "io.warmpool.bootstrap.Main", "run",
                "--state-dir", dir.resolve("state").toString(),
                "--http-addr", "127.0.0.1:0",
                "--simulated-config", dir.resolve("simulated.yaml").toString(),
                "--reconcile-interval", "300ms",
                "--backoff-interval", "200ms",
                "--seed", "7"));
        command.addAll(extra);
        if (ownSession) {
            command.add(0, "/usr/bin/setsid");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("WARMPOOL_"));
        builder.environment().put("WARMPOOL_TOKEN", TOKEN);
        return builder.start();
    }

    String awaitListening(boolean json) {
        Pattern listening = Pattern.compile("API listening on http://(127\\.0\\.0\\.1:[0-9]+)");
        String[] address = new String[1];
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Matcher m = listening.matcher(stderr());
            if (m.find()) {
                address[0] = m.group(1);
            }
            return address[0] != null;
        });
        return address[0];
    }

    String stderr() throws IOException {
        Path file = dir.resolve("stderr");
        return Files.exists(file) ? Files.readString(file, UTF_8) : "";
    }

    static HttpResponse<String> send(String base, String method, String path, String body, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN);
        if (body != null) {
            b.header("Content-Type", "application/yaml");
        }
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void stop(Process service) throws InterruptedException {
        service.destroy(); // SIGTERM: the shutdown logs too
        if (!service.waitFor(60, TimeUnit.SECONDS)) {
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
