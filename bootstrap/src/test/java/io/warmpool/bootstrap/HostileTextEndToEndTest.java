package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Config;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security (SPEC §7), end to end on the real service: parameters with SQL and shell metacharacters, quotes,
 * newlines and unicode are applied through the REST API, stored in PostgreSQL, handed by a worker to the command
 * provisioner — whose script receives them byte for byte on stdin and in {@code WARMPOOL_PARAM_*} — and the hostile
 * outputs the script replies with are stored and returned by a claim exactly, then handed to the delete as
 * {@code WARMPOOL_OUTPUT_*}. No injection attempt ever runs ({@code touch} of a marker file).
 */
class HostileTextEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "hostile-text-token-0123456789";

    @TempDir
    static Path dir;

    static EmbeddedPostgres postgres;
    static WarmpoolService service;
    static String base;
    static Path marker;
    static Map<String, String> parameters;
    static Map<String, String> outputs;

    @BeforeAll
    static void start() throws Exception {
        marker = dir.resolve("pwned");
        String touch = "touch " + marker;
        parameters = new LinkedHashMap<>();
        parameters.put("sql", "'; drop table presets; --");
        parameters.put("shell", "$(" + touch + ") `" + touch + "` ; " + touch + " && " + touch + " | " + touch);
        parameters.put("quotes", "it's \"quoted\" \\ back\\slash");
        parameters.put("lines", "line 1\nline 2\r\n\ttab");
        parameters.put("unicode", "ü 日本語 😀 \u202e");
        parameters.put("$(" + touch + ")", "a hostile name");
        outputs = new LinkedHashMap<>();
        outputs.put("url", "https://ws.example/?q='; drop table workspaces; --");
        outputs.put("cmd", "$(" + touch + ")");
        outputs.put("note", "\"quoted\"\nnew line `" + touch + "`");

        Path script = dir.resolve("capture.sh");
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -u
                d="$(dirname "$0")"
                cat > "$d/$1-$WARMPOOL_WORKSPACE_ID.json"
                env -0 > "$d/$1-$WARMPOOL_WORKSPACE_ID.env"
                if [ "$1" = create ]; then cat "$d/reply.json"; fi
                """, UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("reply.json"), JSON.writeValueAsString(Map.of("outputs", outputs)), UTF_8);

        postgres = RealApi.startPostgres(dir.resolve("pgdata"));
        Map<Setting, String> flags = RealApi.externalDatabaseFlags(dir, postgres, TOKEN);
        flags.put(Setting.PROVISIONER, "command");
        flags.put(Setting.COMMAND_CREATE, JSON.writeValueAsString(List.of(script.toString(), "create")));
        flags.put(Setting.COMMAND_DELETE, JSON.writeValueAsString(List.of(script.toString(), "delete")));
        flags.put(Setting.RECONCILE_INTERVAL, "200ms");
        flags.put(Setting.WORKERS, "1");
        flags.put(Setting.SEED, "5");
        service = Composition.service(Config.load(flags, Map.of(), null), new PrintStream(new ByteArrayOutputStream()), false);
        service.start();
        base = "http://" + service.apiAddress();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static HttpResponse<String> http(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> environment(Path file) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : new String(Files.readAllBytes(file), UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    static Map<String, String> strings(JsonNode node) {
        return JSON.convertValue(node, new TypeReference<Map<String, String>>() { });
    }

    @Test
    void hostileParametersAndOutputs_travelLiterally_fromTheApiThroughPostgresToTheCommandAndBackToTheClaim() throws Exception {
        // JSON is YAML: the presets file states every character exactly.
        String presets = JSON.writeValueAsString(Map.of("templates", List.of(Map.of("name", "hostile", "version", "v1",
                "presets", List.of(Map.of("name", "p", "parameters", parameters, "prebuilds", Map.of("instances", 1)))))));
        HttpResponse<String> applied = http("POST", "/api/v1/presets", presets);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(JSON.readTree(http("GET", "/api/v1/presets/hostile/p", null).body()).get("eligible").asInt()).isEqualTo(1));

        Path stdin;
        try (var files = Files.list(dir)) {
            stdin = files.filter(p -> p.getFileName().toString().matches("create-.*\\.json")).findFirst().orElseThrow();
        }
        String workspace = stdin.getFileName().toString().replace("create-", "").replace(".json", "");
        assertThat(strings(JSON.readTree(stdin.toFile()).get("parameters"))).isEqualTo(parameters);
        Map<String, String> env = environment(dir.resolve("create-" + workspace + ".env"));
        assertThat(env).containsEntry("WARMPOOL_PARAM_SQL", parameters.get("sql"))
                .containsEntry("WARMPOOL_PARAM_SHELL", parameters.get("shell"))
                .containsEntry("WARMPOOL_PARAM_QUOTES", parameters.get("quotes"))
                .containsEntry("WARMPOOL_PARAM_LINES", parameters.get("lines"))
                .containsEntry("WARMPOOL_PARAM_UNICODE", parameters.get("unicode"));

        HttpResponse<String> claim = http("POST", "/api/v1/presets/hostile/p/claims", "{\"owner\":\"alice\"}");
        assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
        JsonNode claimed = JSON.readTree(claim.body());
        assertThat(claimed.get("id").asText()).isEqualTo(workspace);
        assertThat(strings(claimed.get("outputs"))).isEqualTo(outputs);

        assertThat(http("DELETE", "/api/v1/workspaces/" + workspace, null).statusCode()).isEqualTo(202);
        Path deleteEnv = dir.resolve("delete-" + workspace + ".env");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(deleteEnv) && Files.size(deleteEnv) > 0);
        assertThat(strings(JSON.readTree(dir.resolve("delete-" + workspace + ".json").toFile()).get("outputs"))).isEqualTo(outputs);
        assertThat(environment(deleteEnv)).containsEntry("WARMPOOL_OUTPUT_URL", outputs.get("url"))
                .containsEntry("WARMPOOL_OUTPUT_CMD", outputs.get("cmd")).containsEntry("WARMPOOL_OUTPUT_NOTE", outputs.get("note"));

        assertThat(marker).as("no injection attempt ran").doesNotExist();
        HttpResponse<String> status = http("GET", "/api/v1/status", null);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).get("presets")).hasSize(1);
    }
}
