package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warmpool status} and {@code warmpool plan} explain an autoscaled preset's desired count (SPEC R13), from the
 * real REST API's JSON ({@link AutoscaledApi}).
 */
class AutoscaleCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static AutoscaledApi api;
    static Path token;

    @BeforeAll
    static void start() throws Exception {
        api = AutoscaledApi.start();
        token = AutoscaledApi.tokenFile(dir.resolve("token"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    static CliRun cli(String... args) {
        return CliRun.of(args, "--server", api.server(), "--token-file", token.toString());
    }

    static List<String> lines(CliRun run) {
        assertThat(run.exit()).as(run.err()).isZero();
        return run.out().lines().toList();
    }

    @Test
    void statusTable_showsTheExplanationOnALineUnderEachAutoscaledPreset_only() {
        List<String> lines = lines(cli("status"));

        // header line, column header, then go-dev/large (no note), ml-dev/cpu and its note, ml-dev/gpu and its note
        assertThat(lines.get(2)).startsWith("go-dev/large (v1)");
        assertThat(lines.get(3)).startsWith("ml-dev/cpu (v1)");
        assertThat(lines.get(4)).isEqualTo("  autoscale: 0.00 claims/h forecast for Mon 08:00 UTC with no history yet, "
                + "T 5m (default), load 0.00 → N 0, min 1, window floor 3, expected hit rate 100.00% (target 95.00%)");
        assertThat(lines.get(5)).startsWith("ml-dev/gpu (v1)").matches("ml-dev/gpu \\(v1\\)\\s+healthy\\s+11\\s.*");
        assertThat(lines.get(6)).isEqualTo("  autoscale: 60.00 claims/h forecast for Mon 09:00 Europe/Berlin from the "
                + "last hour, T 5m (default), load 5.00 → N 11, expected hit rate 99.17% (target 99.00%)");
        assertThat(lines).hasSize(8).last().isEqualTo(""); // the table ends with a newline, and println adds one
    }

    @Test
    void statusJson_carriesTheAutoscaleObject() throws Exception {
        CliRun run = cli("status", "--output", "json");
        assertThat(run.exit()).as(run.err()).isZero();

        JsonNode presets = JSON.readTree(run.out()).get("presets");

        assertThat(presets.get(0).get("autoscale").isNull()).isTrue();
        JsonNode gpu = presets.get(2).get("autoscale");
        assertThat(gpu.get("forecastClaimsPerHour").asDouble()).isEqualTo(60.0);
        assertThat(gpu.get("weekday").asText()).isEqualTo("monday");
        assertThat(gpu.get("hour").asInt()).isEqualTo(9);
        assertThat(gpu.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(gpu.get("source").asText()).isEqualTo("last_hour");
        assertThat(gpu.get("historyClaims").asInt()).isEqualTo(13);
        assertThat(gpu.get("historyHours").asInt()).isEqualTo(2);
        assertThat(gpu.get("buildSamples").asInt()).isZero();
        assertThat(gpu.get("needed").asInt()).isEqualTo(11);
        assertThat(gpu.get("desired").asInt()).isEqualTo(11);
        assertThat(gpu.get("expectedHitRate").asDouble())
                .isEqualTo(AutoscaledApi.sizing(AutoscaledApi.GPU).expectedHitRate());
    }

    @Test
    void plan_saysWhyDesiredIsWhatItIs_beforeTheActions() {
        List<String> lines = lines(cli("plan"));

        // go-dev/large has nothing to do and no autoscale: not listed
        assertThat(lines).containsExactly(
                "ml-dev/cpu",
                "  desired 3 (autoscale: 0.00 claims/h forecast for Mon 08:00 UTC with no history yet, T 5m (default), "
                        + "load 0.00 → N 0, min 1, window floor 3, expected hit rate 100.00% (target 95.00%))",
                "  create 3",
                "ml-dev/gpu",
                "  desired 11 (autoscale: 60.00 claims/h forecast for Mon 09:00 Europe/Berlin from the last hour, "
                        + "T 5m (default), load 5.00 → N 11, expected hit rate 99.17% (target 99.00%))",
                "  create 11");
    }

    @Test
    void planJson_carriesTheSameAutoscaleObjectAsTheStatus() throws Exception {
        JsonNode plan = JSON.readTree(cli("plan", "--output", "json").out());
        JsonNode status = JSON.readTree(cli("status", "--output", "json").out());

        assertThat(plan.get("presets").get(2).get("autoscale")).isEqualTo(status.get("presets").get(2).get("autoscale"));
        assertThat(plan.get("presets").get(0).get("autoscale").isNull()).isTrue();
    }
}
