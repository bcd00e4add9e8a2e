package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.config.Setting;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The real {@code /metrics} of a running service that has done some work — creates, failures up to a hard limit,
 * a claim served, a claim missed, a release, failed prebuilds cleaned up — checked by {@code promtool check metrics}
 * (the Prometheus naming conventions), and against what {@code deploy/} queries: every metric name in the Grafana
 * dashboard's and the alerts' expressions must be in this exposition, so a renamed metric fails here.
 */
class MetricsExpositionEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRESETS = """
            templates:
              - name: python-dev
                version: v1
                presets:
                  - name: small
                    parameters: {cpu: "2"}
                    prebuilds: {instances: 2}
              - name: go-service
                version: v1
                presets:
                  - name: broken
                    parameters: {cpu: "1"}
                    prebuilds: {instances: 1}
            """;
    private static final String SIMULATED = """
            create_latency: 20ms
            delete_latency: 20ms
            presets:
              go-service/broken: {failure_rate: 1.0}
            """;
    private static final Map<Setting, String> FLAGS = Map.of(Setting.RECONCILE_INTERVAL, "200ms", Setting.SEED, "1",
            Setting.BACKOFF_INTERVAL, "50ms", Setting.FAILED_RETENTION, "100ms");

    /** A sample line's metric name: the start of a line that is not a comment. */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    /** Candidate metric names in PromQL: ours and the JVM's, by their prefixes. */
    private static final Pattern WARMPOOL_NAME = Pattern.compile("\\b(?:warmpool|jvm|process)_[a-z0-9_]+");

    static String exposition;

    @BeforeAll
    static void aServiceThatHasWorked(@TempDir Path dir) throws Exception {
        try (InProcessService s = InProcessService.start(dir, PRESETS, SIMULATED, FLAGS)) {
            String auth = "Bearer " + s.token();
            await().atMost(Duration.ofSeconds(60)).until(() -> value(s, "warmpool_prebuilt_workspaces_eligible{preset=\"small\"")
                    >= 2 && value(s, "warmpool_preset_hard_limited{preset=\"broken\"") == 1);

            HttpResponse<String> hit = s.send("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\"}",
                    "Authorization", auth, "Content-Type", "application/json");
            assertThat(hit.statusCode()).as(hit.body()).isEqualTo(201);
            HttpResponse<String> miss = s.send("POST", "/api/v1/presets/go-service/broken/claims", "{\"owner\":\"bob\"}",
                    "Authorization", auth, "Content-Type", "application/json");
            assertThat(miss.statusCode()).as(miss.body()).isEqualTo(409);
            JsonNode claimed = JSON.readTree(hit.body());
            HttpResponse<String> release = s.send("DELETE", "/api/v1/workspaces/" + claimed.get("id").asText(), null,
                    "Authorization", auth);
            assertThat(release.statusCode()).as(release.body()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    value(s, "warmpool_prebuilt_workspaces_deleted_total{preset=\"small\",reason=\"released\"") >= 1
                            && value(s, "warmpool_prebuilt_workspaces_deleted_total{preset=\"broken\",reason=\"failed_cleanup\"") >= 1
                            && value(s, "warmpool_provisioner_job_duration_seconds_count{kind=\"delete\",outcome=\"succeeded\",preset=\"small\"") >= 1);
            exposition = scrape(s);
        }
        Files.writeString(Path.of("target", "metrics-exposition.txt"), exposition);
    }

    private static String scrape(InProcessService s) throws IOException, InterruptedException {
        HttpResponse<String> r = s.send("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the first sample whose line starts with {@code prefix} (labels sort by name), or -1. */
    private static double value(InProcessService s, String prefix) throws IOException, InterruptedException {
        String body = scrape(s);
        String name = prefix.contains("{") ? prefix.substring(0, prefix.indexOf('{')) : prefix;
        String labels = prefix.contains("{") ? prefix.substring(prefix.indexOf('{') + 1) : "";
        return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels.split(",")).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    /** Every metric name with a sample in the exposition, histograms also by their base name. */
    static Set<String> exposed() {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            String name = m.group(1);
            names.add(name);
            names.add(name.replaceAll("_(bucket|count|sum)$", ""));
        }
        return names;
    }

    static Set<String> warmpoolNamesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = WARMPOOL_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    @Test
    void theExposition_passesPromtoolCheckMetrics() throws Exception {
        Promtool.Run run = Promtool.run(Path.of("target"), exposition.getBytes(StandardCharsets.UTF_8), "check", "metrics");

        assertThat(run.output()).as("promtool check metrics").isEmpty();
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void theExposition_hasTheLabelledSeriesOfIssue18() {
        assertThat(exposition)
                .containsPattern("(?m)^warmpool_build_info\\{revision=\"[^\"]+\",version=\"[^\"]+\"} 1(\\.0)?$")
                .containsPattern("(?m)^warmpool_claim_duration_seconds_count\\{outcome=\"hit\",preset=\"small\",template=\"python-dev\"} 1(\\.0)?$")
                .containsPattern("(?m)^warmpool_claim_duration_seconds_count\\{outcome=\"miss\",preset=\"broken\",template=\"go-service\"} 1(\\.0)?$")
                .containsPattern("(?m)^warmpool_provisioner_job_duration_seconds_count\\{kind=\"create\",outcome=\"failed\",preset=\"broken\",template=\"go-service\"} [1-9]")
                .containsPattern("(?m)^warmpool_provisioner_jobs_pending\\{kind=\"create\"} ")
                .containsPattern("(?m)^warmpool_reconciliation_last_pass_timestamp_seconds 1\\.[0-9]+E9$")
                .containsPattern("(?m)^warmpool_preset_backoff_until_timestamp_seconds\\{preset=\"broken\",template=\"go-service\"} ")
                .containsPattern("(?m)^warmpool_preset_backoff_until_seconds\\{preset=\"broken\",template=\"go-service\"} ");
    }

    @Test
    void everyMetricTheGrafanaDashboardQueries_isInTheExposition() throws IOException {
        JsonNode dashboard = JSON.readTree(Promtool.deploy().resolve("grafana/warmpool.json").toFile());
        StringBuilder queries = new StringBuilder();
        dashboard.findValues("expr").forEach(e -> queries.append(e.asText()).append('\n'));
        dashboard.findValues("query").forEach(e -> queries.append(e.isTextual() ? e.asText() : e.toString()).append('\n'));

        Set<String> used = warmpoolNamesIn(queries.toString());

        assertThat(used).as("metrics the dashboard queries").hasSizeGreaterThan(15);
        assertThat(exposed()).as("the exposition").containsAll(used);
    }

    @Test
    void everyMetricTheAlertsUse_isInTheExposition() throws IOException {
        Object rules = new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Promtool.deploy().resolve("prometheus/alerts.yaml")));
        StringBuilder exprs = new StringBuilder();
        for (Object group : (List<?>) ((Map<?, ?>) rules).get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                exprs.append(((Map<?, ?>) rule).get("expr")).append('\n');
            }
        }

        Set<String> used = warmpoolNamesIn(exprs.toString());

        assertThat(used).as("metrics the alerts use").hasSizeGreaterThanOrEqualTo(7);
        assertThat(exposed()).as("the exposition").containsAll(used);
    }

    @Test
    void aNameMissingFromTheExposition_isFound() {
        // the check above can fail: a renamed metric in a query is not in the exposition
        assertThat(exposed()).contains("warmpool_preset_backoff_until_timestamp_seconds", "jvm_memory_used_bytes")
                .doesNotContain("warmpool_preset_backoff_until_timestamp");
        assertThat(warmpoolNamesIn("rate(warmpool_prebuilt_workspaces_claimd_total[5m]) / jvm_memory_max_bytes"))
                .containsExactly("jvm_memory_max_bytes", "warmpool_prebuilt_workspaces_claimd_total");
    }
}
