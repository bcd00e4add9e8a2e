package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 18's API behaviours on the real service and PostgreSQL ({@link RealApi}, its own instance: these requests
 * change the store): the version, a pagination walk-through, unknown query parameters, the idempotent release, the
 * dry run of a presets file (nothing stored) and the applied definition of a preset read back after a real apply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiContractEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** python-dev moves to v2 (a schedule, TTL, readiness, health); a new template is sized by autoscale. */
    static final String NEXT = """
            templates:
              - name: python-dev
                version: v2
                presets:
                  - name: small
                    parameters: {cpu: "4"}
                    prebuilds:
                      instances: 2
                      ttl: 30m
                      scheduling:
                        timezone: Europe/Berlin
                        schedule:
                          - {cron: "* 8-18 * * 1-5", instances: 6}
                      readiness: {check: agent, timeout: 5m}
                      health: {interval: 90s, unhealthy_after: 3}
              - name: go-dev
                version: v1
                deprecated: true
                presets:
                  - name: auto
                    parameters: {}
                    prebuilds:
                      autoscale: {target_hit_rate: 0.95, min: 1, max: 20, lookback: 7d}
            """;

    private RealApi api;

    @BeforeAll
    void start() {
        api = RealApi.start();
    }

    @AfterAll
    void stop() {
        api.close();
    }

    private HttpResponse<String> call(String method, String path, String contentType, String body) {
        return api.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                contentType == null ? new String[] {"Authorization", "Bearer " + RealApi.TOKEN}
                        : new String[] {"Authorization", "Bearer " + RealApi.TOKEN, "Content-Type", contentType});
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = json(response);
        assertThat(body.get("type").asText()).isEqualTo("urn:warmpool:problem:" + slug);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("error").asText()).isEqualTo(body.get("detail").asText());
        return body;
    }

    @Test
    @Order(1)
    void version_isTheBuildInfo() {
        JsonNode version = json(call("GET", "/api/v1/version", null, null));

        assertThat(version.get("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(version.get("revision").asText()).isEqualTo(BuildInfo.current().revision());
    }

    @Test
    @Order(2)
    void lists_walkedWithNextUntilNull_showEveryItemOnceInOrder_andABadCursorIs400() {
        List<String> all = new ArrayList<>();
        json(call("GET", "/api/v1/workspaces?limit=1000", null, null)).get("items").forEach(w -> all.add(w.get("id").asText()));
        assertThat(all).hasSize(3);

        for (String list : List.of("/api/v1/workspaces?limit=", "/api/v1/workspaces?preset=python-dev/small&limit=")) {
            List<String> walked = new ArrayList<>();
            String next = null;
            int pages = 0;
            do {
                JsonNode page = json(call("GET", list + "2" + (next == null ? ""
                        : "&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8)), null, null));
                page.get("items").forEach(w -> walked.add(w.get("id").asText()));
                next = page.get("next").isNull() ? null : page.get("next").asText();
                pages++;
            } while (next != null && pages < 10);
            assertThat(walked).as(list).containsExactlyElementsOf(all);
            assertThat(pages).isEqualTo(2);
        }

        List<Long> builds = new ArrayList<>();
        String next = null;
        do {
            JsonNode page = json(call("GET", "/api/v1/presets/python-dev/small/builds?limit=1"
                    + (next == null ? "" : "&cursor=" + next), null, null));
            page.get("items").forEach(b -> builds.add(b.get("id").asLong()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
        } while (next != null && builds.size() < 10);
        assertThat(builds).hasSize(3).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        JsonNode own = json(call("GET", "/api/v1/workspaces/" + all.get(0) + "/builds?limit=1", null, null));
        assertThat(own.get("items")).hasSize(1);
        assertThat(own.get("next").isNull()).isTrue();

        problem(call("GET", "/api/v1/workspaces?cursor=not-a-cursor", null, null), 400, "bad-request");
        assertThat(problem(call("GET", "/api/v1/workspaces?offset=2", null, null), 400, "bad-request")
                .get("detail").asText()).contains("'offset'");
    }

    @Test
    @Order(3)
    void release_twice_answersTheSame202_anUnknownIs404_anUnclaimedPrebuildIs409() {
        HttpResponse<String> claimed = call("POST", "/api/v1/presets/python-dev/small/claims", "application/json",
                "{\"owner\":\"alice\"}");
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
        String id = json(claimed).get("id").asText();

        HttpResponse<String> first = call("DELETE", "/api/v1/workspaces/" + id, null, null);
        String afterFirst = api.dump();
        HttpResponse<String> second = call("DELETE", "/api/v1/workspaces/" + id, null, null);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(api.dump()).as("the second release enqueues nothing").isEqualTo(afterFirst);
        problem(call("DELETE", "/api/v1/workspaces/00000000-0000-4000-8000-000000000999", null, null), 404, "not-found");
        String prebuild = json(call("GET", "/api/v1/workspaces?owner=prebuilds&limit=1", null, null))
                .get("items").get(0).get("id").asText();
        problem(call("DELETE", "/api/v1/workspaces/" + prebuild, null, null), 409, "conflict");
    }

    @Test
    @Order(4)
    void theCli_presetsApplyDryRun_printsTheDiff_andAppliesNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Path file = dir.resolve("next.yaml");
        java.nio.file.Files.writeString(file, NEXT);
        java.nio.file.Path token = dir.resolve("token");
        java.nio.file.Files.writeString(token, RealApi.TOKEN);
        java.nio.file.Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String before = api.dump();

        CliRun run = CliRun.of(new String[] {"presets", "apply", file.toString(), "--dry-run"},
                "--server", api.base(), "--token-file", token.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(api.dump()).isEqualTo(before);
        assertThat(run.out()).startsWith("dry run of " + file + " (nothing applied): 2 template(s), 2 new version(s), "
                + "2 new preset(s), 0 updated\n");
        assertThat(run.out()).contains(
                "  ~ python-dev: version v1 → v2\n",
                "  ~ python-dev/small: prebuilds.instances 3 → 2\n",
                "  ~ python-dev/small: prebuilds.ttl (none) → 30m\n",
                "  - python-dev/empty\n",
                "  + go-dev: version (none) → v1\n",
                "  ! go-dev: deprecated false → true\n",
                "  + go-dev/auto\n");

        CliRun json = CliRun.of(new String[] {"presets", "apply", file.toString(), "--dry-run", "--output", "json"},
                "--server", api.base(), "--token-file", token.toString());
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode answer = JSON.readTree(json.out());
        assertThat(answer.get("dryRun").asBoolean()).isTrue();
        assertThat(answer.get("changes")).hasSizeGreaterThan(7);
        java.nio.file.Path bad = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "templates: [{name: python-dev, version: v1, presets: [{name: small, "
                + "parameters: {cpu: \"9\"}, prebuilds: {instances: 1}}]}]\n");
        CliRun invalid = CliRun.of(new String[] {"presets", "apply", bad.toString(), "--dry-run", "--output", "json"},
                "--server", api.base(), "--token-file", token.toString());
        assertThat(invalid.exit()).as(invalid.err()).isEqualTo(2);
        JsonNode problem = JSON.readTree(invalid.err());
        assertThat(problem.has("type")).as(invalid.err()).isTrue();
        assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:invalid-presets");
        assertThat(problem.get("errors")).isNotEmpty();
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void dryRun_answersTheDiff_andStoresNothing_thenTheRealApplyIsReadBackAsTheDefinition() throws IOException {
        String before = api.dump();

        HttpResponse<String> dry = call("POST", "/api/v1/presets?dryRun=true&source=next.yaml", "application/yaml", NEXT);

        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(api.dump()).as("a dry run stores nothing").isEqualTo(before);
        JsonNode preview = json(dry);
        assertThat(preview.get("dryRun").asBoolean()).isTrue();
        assertThat(preview.get("templates").asInt()).isEqualTo(2);
        assertThat(preview.get("versionsCreated").asInt()).isEqualTo(2);
        assertThat(preview.get("presetsCreated").asInt()).isEqualTo(2);
        assertThat(preview.get("changes")).contains(
                JSON.readTree("{\"action\":\"change\",\"target\":\"python-dev\",\"field\":\"version\",\"from\":\"v1\",\"to\":\"v2\"}"),
                JSON.readTree("{\"action\":\"change\",\"target\":\"python-dev/small\",\"field\":\"parameters.cpu\",\"from\":\"2\",\"to\":\"4\"}"),
                JSON.readTree("{\"action\":\"change\",\"target\":\"python-dev/small\",\"field\":\"prebuilds.instances\",\"from\":\"3\",\"to\":\"2\"}"),
                JSON.readTree("{\"action\":\"change\",\"target\":\"python-dev/small\",\"field\":\"prebuilds.ttl\",\"to\":\"30m\"}"),
                JSON.readTree("{\"action\":\"remove\",\"target\":\"python-dev/empty\"}"),
                JSON.readTree("{\"action\":\"add\",\"target\":\"go-dev\",\"field\":\"version\",\"to\":\"v1\"}"),
                JSON.readTree("{\"action\":\"deprecate\",\"target\":\"go-dev\",\"field\":\"deprecated\",\"from\":\"false\",\"to\":\"true\"}"),
                JSON.readTree("{\"action\":\"add\",\"target\":\"go-dev/auto\"}"));
        problem(call("POST", "/api/v1/presets?dryRun=yes", "application/yaml", NEXT), 400, "bad-request");
        JsonNode invalid = problem(call("POST", "/api/v1/presets?dryRun=true", "application/yaml",
                "templates: [{name: python-dev, version: v1, presets: [{name: small, parameters: {cpu: \"9\"}, prebuilds: {instances: 1}}]}]"),
                400, "invalid-presets");
        assertThat(invalid.get("errors")).isNotEmpty();
        assertThat(api.dump()).isEqualTo(before);

        HttpResponse<String> applied = call("POST", "/api/v1/presets?source=next.yaml", "application/yaml", NEXT);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(json(applied).get("versionsCreated")).isEqualTo(preview.get("versionsCreated"));

        JsonNode small = json(call("GET", "/api/v1/presets/python-dev/small", null, null));
        assertThat(small.get("version").asText()).isEqualTo("v2");
        assertThat(small.get("definition")).isEqualTo(JSON.readTree("""
                {"parameters": {"cpu": "4"},
                 "prebuilds": {"instances": 2, "ttl": "30m",
                               "scheduling": {"timezone": "Europe/Berlin",
                                              "schedule": [{"cron": "* 8-18 * * 1-5", "instances": 6}]},
                               "readiness": {"check": "agent", "timeout": "5m"},
                               "health": {"interval": "1m30s", "unhealthy_after": 3}}}
                """));
        JsonNode auto = json(call("GET", "/api/v1/presets/go-dev/auto", null, null));
        assertThat(auto.get("definition")).isEqualTo(JSON.readTree("""
                {"parameters": {},
                 "prebuilds": {"autoscale": {"target_hit_rate": 0.95, "min": 1, "max": 20, "lookback": "7d"}}}
                """));
        assertThat(json(call("POST", "/api/v1/presets?dryRun=true", "application/yaml", NEXT)).get("changes")).isEmpty();
    }
}
