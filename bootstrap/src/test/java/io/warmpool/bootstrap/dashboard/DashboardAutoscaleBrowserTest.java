package io.warmpool.bootstrap.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmpool.bootstrap.AutoscaledApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preset page explains an autoscaled preset's desired count (SPEC R13), in real headless Chromium against the
 * real REST API and dashboard over a fixed status sized by the domain ({@link AutoscaledApi}), and shows nothing of
 * the kind for a preset without autoscale. Skipped without Chromium, as {@link DashboardBrowserTest} is.
 */
class DashboardAutoscaleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Browser browser;
    static AutoscaledApi api;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.start(dir.resolve("browser"));
        browser.viewport(1280, 800);
        api = AutoscaledApi.start();
        browser.get(api.signInUrl());
        browser.await("the dashboard", WAIT, () -> browser.findAll("#pools-body tr").size() == 3);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /** Opens the preset page of {@code preset} and waits for its status to be drawn. */
    static void open(String preset) {
        browser.consoleLog();
        browser.get(api.server() + "/#/presets/" + preset);
        browser.await("the preset view of " + preset, WAIT, () -> browser.script("""
                const view = document.getElementById('view-preset');
                const stats = document.getElementById('pv-stats');
                return !view.hidden && view.dataset.preset === arguments[0] && stats != null && stats.children.length > 0;""",
                preset).asBoolean());
    }

    static String fact(String name) {
        JsonNode v = browser.script("""
                const e = document.querySelector('#pv-autoscale-facts [data-fact="' + arguments[0] + '"]');
                return e ? e.textContent : null;""", name);
        return v.isNull() ? null : v.asText();
    }

    @Test
    void anAutoscaledPresetsPage_explainsItsDesiredCount() throws Exception {
        open("ml-dev/gpu");

        assertThat(browser.displayed("#pv-autoscale")).isTrue();
        assertThat(browser.text("#pv-autoscale-policy")).isEqualTo("target 99.00% · min 0 · max 20 · lookback 14d");
        assertThat(fact("forecast")).isEqualTo("Forecast60.00/hclaims for Mon 09:00 Europe/Berlin, from the last hour "
                + "(60 claims; average 6.50/h)");
        assertThat(fact("build-time")).isEqualTo("Build time T5mdefault: no build measured yet");
        assertThat(fact("load")).isEqualTo("Offered load5.00forecast × T, in Erlangs");
        assertThat(fact("needed")).isEqualTo("N11smallest pool reaching the target");
        assertThat(fact("desired")).isEqualTo("Desired11N within 0–20");
        assertThat(fact("hit-rate")).isEqualTo("Expected hit rate99.17%target 99.00%");
        assertThat(browser.text("#pv-autoscale-why")).isEqualTo(AutoscaledApi.sizing(AutoscaledApi.GPU).explain());
        assertThat(browser.text("#pv-stats")).contains("now, by autoscale (below)");
        // the fixture keeps no history (its 404s are logged by the network, on purpose): no script error
        List<JsonNode> errors = browser.consoleLog().stream().filter(e -> e.path("level").asText().equals("SEVERE")
                && !e.path("source").asText().equals("network")).toList();
        assertThat(errors).as("script errors").isEmpty();
        browser.screenshot(DashboardBrowserTest.SHOTS.resolve("20-preset-autoscaled.png"));
    }

    @Test
    void aWindowFloor_andNoHistory_areSaid() {
        open("ml-dev/cpu");

        assertThat(browser.displayed("#pv-autoscale")).isTrue();
        assertThat(fact("forecast")).isEqualTo("Forecast0.00/hclaims for Mon 08:00 UTC, from no history yet");
        assertThat(fact("desired")).isEqualTo("Desired3N within 1–5, window floor 3");
    }

    @Test
    void aPresetWithoutAutoscale_hasNoAutoscaleCard() {
        open("go-dev/large");

        assertThat(browser.findAll("#pv-autoscale")).hasSize(1);
        assertThat(browser.displayed("#pv-autoscale")).isFalse();
        assertThat(browser.text("#pv-stats")).contains("now, by the schedule");
    }
}
