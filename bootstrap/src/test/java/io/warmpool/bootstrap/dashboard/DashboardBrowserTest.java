package io.warmpool.bootstrap.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.warmpool.bootstrap.InProcessService;
import io.warmpool.bootstrap.config.Setting;
import io.warmpool.bootstrap.runtime.WarmpoolService;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * The dashboard in real headless Chromium against the real service — embedded PostgreSQL, simulated
 * provisioner, workers, reconciler and REST API, started in-process as {@code run} starts it. The tests run in
 * order on one service and one browser; each saves a screenshot under {@code target/dashboard-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static Browser browser;
    static InProcessService running;
    static WarmpoolService service;
    static String server;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.start(dir.resolve("browser"));
        browser.get("about:blank");
        browser.viewport(1280, 800);
        running = InProcessService.start(dir, """
                templates:
                  - name: python-dev
                    version: v3
                    presets:
                      - name: small
                        parameters: {cpu: "2"}
                        prebuilds:
                          instances: 2
                          scheduling:
                            timezone: Europe/Berlin
                            schedule:
                              - {cron: "* 8-17 * * *", instances: 3}
                      - name: large
                        parameters: {cpu: "8"}
                        prebuilds: {instances: 1, ttl: 30m}
                """, """
                create_latency: {min: 100ms, max: 400ms}
                delete_latency: 50ms
                presets:
                  go-service/broken: {failure_rate: 1.0}
                """, Map.of(Setting.RECONCILE_INTERVAL, "500ms", Setting.BACKOFF_INTERVAL, "3s", Setting.SEED, "7"));
        service = running.service();
        server = running.server();
        token = running.token();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (running != null) {
            running.close();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    static void shot(String name) throws Exception {
        browser.screenshot(SHOTS.resolve(name + ".png"));
    }

    /** The text of a column of the active version's row in the pools table, or null. */
    static String cell(String preset, String column) {
        JsonNode v = browser.script("""
                const row = document.querySelector('#pools-body tr[data-preset="' + arguments[0] + '"][data-active="true"]');
                const c = row && row.querySelector('[data-col="' + arguments[1] + '"]');
                return c ? c.textContent : null;""", preset, column);
        return v.isNull() ? null : v.asText();
    }

    static HttpResponse<String> api(String method, String path, String body, String... headers) throws Exception {
        return running.send(method, path, body, headers);
    }

    static JsonNode bearer(String method, String path, String body) throws Exception {
        HttpResponse<String> r = body == null ? api(method, path, null, "Authorization", "Bearer " + token)
                : api(method, path, body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
        assertThat(r.statusCode()).as(r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    static JsonNode presetStatus(String preset) throws Exception {
        for (JsonNode p : bearer("GET", "/api/v1/status", null).get("presets")) {
            if (p.get("preset").asText().equals(preset) && p.get("active").asBoolean()) {
                return p;
            }
        }
        throw new AssertionError("no preset " + preset);
    }

    /** Confirms the open dialog (optionally typing the owner first) and waits for it to close. */
    static void confirmDialog(String owner) {
        browser.await("the confirmation dialog", WAIT, () -> browser.script("return document.getElementById('confirm').open").asBoolean());
        if (owner != null) {
            browser.type("#confirm-owner", owner);
        }
        browser.click("#confirm-ok");
        browser.await("the dialog to close", WAIT, () -> !browser.script("return document.getElementById('confirm').open").asBoolean());
    }

    /** The five panels of a preset view, each filled by the detail load (or by the reason it has none). */
    static final List<String> PANELS = List.of("pv-schedule", "pv-claims", "pv-chart", "pv-builds", "pv-workspaces");

    /** The text of the pools view's "Updated HH:MM:SS" line, which changes on every refresh of the page. */
    static String refreshed() {
        return browser.text("#refreshed");
    }

    /**
     * Opens the preset view of {@code preset} (template/name) and waits until its status and all five panels are
     * rendered; then: no error toast, no "Invalid time zone", nothing logged as an error on the console since the
     * page was opened, and (for a preset with an active version) the schedule, claims, chart and builds drawn.
     */
    static void openPresetViewAndCheck(String preset, boolean active, String shot) throws Exception {
        browser.consoleLog(); // drop what earlier steps logged (their refused requests are on purpose)
        browser.get(server + "/#/presets/" + preset);
        // all five panels filled, or an error toast (then the assertions below say what went wrong at once)
        browser.await("the preset view of " + preset + " with all its panels", WAIT, () -> browser.script("""
                const view = document.getElementById('view-preset');
                const filled = (id) => { const e = document.getElementById(id); return e != null && e.children.length > 0; };
                const panels = !view.hidden && view.dataset.preset === arguments[0] && filled('pv-stats')
                    && arguments[1].every(filled);
                return panels || document.querySelector('#toasts .toast-error') != null;""", preset, PANELS).asBoolean());
        String page = browser.text("body");
        assertThat(page).doesNotContain("Invalid time zone", "could not be shown");
        assertThat(browser.findAll("#toasts .toast-error")).as("error toasts on %s: %s", preset, page).isEmpty();
        if (active) {
            browser.await("the pool chart of " + preset, WAIT, () -> !browser.findAll("#pv-chart svg").isEmpty());
            assertThat(browser.findAll("#pv-schedule .spans li")).as("today's schedule of " + preset).isNotEmpty();
            assertThat(browser.text("#pv-zone")).as("its timezone").matches("\\S+ · \\d{4}-\\d{2}-\\d{2}");
            assertThat(browser.findAll("#pv-claims [data-col='served']")).as("its claims").hasSize(1);
            assertThat(browser.findAll("#pv-builds table, #pv-builds p.empty")).as("its builds").hasSize(1);
            assertThat(browser.findAll("[data-why='no-active-version']")).isEmpty();
        } else {
            assertThat(browser.findAll("[data-why='no-active-version']")).as("why the panels are empty").hasSize(PANELS.size());
            assertThat(browser.text("#pv-chart")).contains("has no active version");
        }
        List<JsonNode> errors = browser.consoleLog().stream().filter(e -> e.path("level").asText().equals("SEVERE")).toList();
        assertThat(errors).as("console errors on the preset view of " + preset).isEmpty();
        shot(shot);
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void signingInThroughAOneTimeCodeLink_setsAStrictHttpOnlyCookie_andCleansTheAddressBar() throws Exception {
        // without a session: the sign-in hint, no data
        browser.get(server + "/");
        assertThat(browser.text("main")).contains("This dashboard needs a sign-in link", "warmpool dashboard");
        assertThat(browser.findAll("#pools-body")).isEmpty();
        browser.get(server + "/?code=not-a-code");
        assertThat(browser.text("#signin-message")).contains("That sign-in link is not valid");
        shot("01-sign-in-wrong-code");
        // the API token in the URL: refused, no session
        browser.get(server + "/?token=" + token);
        assertThat(browser.text("#signin-message")).contains("not accepted in a URL");
        assertThat(browser.findAll("#pools-body")).isEmpty();

        // a one-time link as run prints it: signs in once
        String link = service.signInUrl();
        assertThat(link).startsWith(server + "/?code=").doesNotContain(token);
        browser.get(link);

        browser.await("the dashboard", WAIT, () -> browser.findAll("#pools-body tr").size() >= 2);
        assertThat(browser.currentUrl()).isEqualTo(server + "/");
        assertThat(browser.script("return location.search").asText()).isEmpty();
        JsonNode cookie = null;
        for (JsonNode c : browser.cookies()) {
            if (c.get("name").asText().equals("warmpool_session")) {
                cookie = c;
            }
        }
        assertThat(cookie).as("the session cookie").isNotNull();
        assertThat(cookie.get("httpOnly").asBoolean()).isTrue();
        assertThat(cookie.get("sameSite").asText()).isEqualTo("Strict");
        assertThat(cookie.get("path").asText()).isEqualTo("/");
        assertThat(browser.script("return document.cookie").asText()).doesNotContain("warmpool_session");
        shot("02-signed-in");
        // the same link again, as another browser would use it: refused (this browser keeps its session)
        HttpResponse<String> reuse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reuse.statusCode()).isEqualTo(401);
        assertThat(reuse.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    @Order(2)
    void poolsFillInTheViewWithoutReloading() throws Exception {
        browser.script("window.__sameDocument = 'yes'");
        int desired = presetStatus("python-dev/small").get("desired").asInt();
        browser.await("python-dev/small to fill", WAIT, () ->
                String.valueOf(desired).equals(cell("python-dev/small", "eligible")));
        assertThat(cell("python-dev/small", "desired")).isEqualTo(String.valueOf(desired));

        // a preset applied while the page is open appears and fills, without a reload
        assertThat(cell("node-dev/medium", "eligible")).isNull();
        bearer("POST", "/api/v1/presets", """
                templates:
                  - name: node-dev
                    version: v1
                    presets:
                      - name: medium
                        parameters: {node: "22"}
                        prebuilds: {instances: 2}
                """);
        browser.await("node-dev/medium to appear", WAIT, () -> cell("node-dev/medium", "eligible") != null);
        browser.await("node-dev/medium to fill", WAIT, () -> "2".equals(cell("node-dev/medium", "eligible")));
        assertThat(browser.script("return window.__sameDocument").asText()).isEqualTo("yes");
        assertThat(browser.text("#pass-info")).startsWith("Last pass");
        shot("03-pools-filled");
    }

    @Test
    @Order(3)
    void aFailingPresetShowsItsBackoffCountdown_thenHardLimited() throws Exception {
        bearer("POST", "/api/v1/presets", """
                templates:
                  - name: go-service
                    version: v1
                    presets:
                      - name: broken
                        parameters: {image: nope}
                        prebuilds: {instances: 1}
                """);
        browser.await("a backoff countdown", WAIT, () -> {
            String text = cell("go-service/broken", "backoff");
            return text != null && text.matches("\\d+s");
        });
        assertThat(cell("go-service/broken", "status")).isEqualTo("backing off");
        shot("04-backoff-countdown");
        // its preset view while it fails: unscheduled, so the activity's timezone is UTC; the failed builds listed
        openPresetViewAndCheck("go-service/broken", true, "04b-preset-failing");
        assertThat(browser.text("#pv-zone")).startsWith("UTC · ");
        browser.await("its failed build", WAIT, () -> browser.text("#pv-builds").contains("failed"));
        browser.get(server + "/#/");
        browser.await("the pools view", WAIT, () -> cell("go-service/broken", "status") != null);

        browser.await("hard_limited", WAIT, () -> "hard limited".equals(cell("go-service/broken", "status")));
        assertThat(cell("go-service/broken", "failures")).isEqualTo("3");
        assertThat(cell("go-service/broken", "backoff")).isEqualTo("until resumed");
        assertThat(presetStatus("go-service/broken").get("status").asText()).isEqualTo("hard_limited");
        assertThat(browser.displayed("#pools-body tr[data-preset='go-service/broken'] [data-action='resume']")).isTrue();
        shot("05-hard-limited");
    }

    @Test
    @Order(4)
    void pauseShowsTheBannerAndNothingIsRefilled_resumeLiftsIt() throws Exception {
        int desired = presetStatus("python-dev/small").get("desired").asInt();
        assertThat(browser.displayed("#paused-banner")).isFalse();

        browser.click("#toggle-pause");
        confirmDialog(null);
        browser.await("the paused banner", WAIT, () -> browser.displayed("#paused-banner"));
        assertThat(browser.text("#state-pill")).isEqualTo("Paused");
        assertThat(bearer("GET", "/api/v1/reconciliation", null).get("paused").asBoolean()).isTrue();

        // a claim while paused: served, but no pass refills the pool
        browser.click("#pools-body tr[data-preset='python-dev/small'][data-active='true'] [data-action='claim']");
        confirmDialog("alice");
        browser.await("the claim to show", WAIT, () -> String.valueOf(desired - 1).equals(cell("python-dev/small", "eligible")));
        String passBefore = bearer("GET", "/api/v1/status", null).get("lastPass").get("startedAt").asText();
        for (int i = 0; i < 3; i++) {
            // three refreshes of the page (each 2 s), so many reconcile intervals (500 ms): still nothing refilled
            String before = refreshed();
            browser.await("a refresh of the page", WAIT, () -> !refreshed().equals(before));
            assertThat(cell("python-dev/small", "eligible")).isEqualTo(String.valueOf(desired - 1));
            assertThat(cell("python-dev/small", "starting")).isEqualTo("0");
        }
        assertThat(bearer("GET", "/api/v1/status", null).get("lastPass").get("startedAt").asText()).isEqualTo(passBefore);
        shot("06-paused");

        browser.click("#banner-resume");
        confirmDialog(null);
        browser.await("the banner to go", WAIT, () -> !browser.displayed("#paused-banner"));
        assertThat(browser.text("#state-pill")).isEqualTo("Reconciling");
        browser.await("the pool to refill", WAIT, () -> String.valueOf(desired).equals(cell("python-dev/small", "eligible")));
        shot("07-resumed");
    }

    @Test
    @Order(5)
    void requestsWithoutTheCookie_orCrossSite_areRefused() throws Exception {
        // no cookie: refused, from outside and from the page itself
        assertThat(api("GET", "/api/v1/status", null).statusCode()).isEqualTo(401);
        assertThat(browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/status', {credentials: 'omit'}).then(r => done(r.status));""").asInt()).isEqualTo(401);
        // the cookie but no CSRF header: refused
        assertThat(browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/reconciliation/pause', {method: 'POST'}).then(r => done(r.status));""").asInt()).isEqualTo(403);

        // a form on another origin of the same site (another port of this host: SameSite=Strict still sends the
        // cookie) posts to the API: refused, nothing paused
        HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String form = "<!doctype html><form id=f method=post action='" + server + "/api/v1/reconciliation/pause'>"
                + "<input name=x value=1></form><script>document.getElementById('f').submit()</script>";
        evil.createContext("/", exchange -> {
            byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        evil.start();
        try {
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            browser.await("the form's response", WAIT, () -> browser.currentUrl().startsWith(server + "/api/v1/reconciliation/pause"));
            assertThat(browser.text("body")).contains("cross-site request refused");
            shot("08-cross-site-form-refused");
        } finally {
            evil.stop(0);
        }
        assertThat(bearer("GET", "/api/v1/reconciliation", null).get("paused").asBoolean()).isFalse();
        browser.get(server + "/");
        browser.await("the dashboard again", WAIT, () -> browser.findAll("#pools-body tr").size() >= 2);
    }

    @Test
    @Order(6)
    void thePresetView_showsSchedule_builds_claims_andChart_andIsKeyboardUsable() throws Exception {
        browser.click("#pools-body tr[data-preset='python-dev/small'][data-active='true'] .preset-link");
        browser.await("the preset view", WAIT, () -> browser.displayed("#view-preset") && browser.findAll(".spans li").size() > 0);
        browser.await("its builds", WAIT, () -> browser.findAll("#pv-builds tbody tr").size() > 0);
        assertThat(browser.text("#pv-zone")).startsWith("Europe/Berlin");
        assertThat(browser.text("#pv-schedule")).contains("00:00", "24:00", "window * 8-17 * * *");
        assertThat(browser.text("#pv-builds")).contains("create", "succeeded");
        assertThat(browser.text("#pv-claims [data-col='served']")).isEqualTo("1");
        assertThat(browser.findAll("#pv-chart svg path.line-eligible")).isNotEmpty();
        assertThat(browser.text("#pv-workspaces")).contains("for alice");
        shot("09-preset-view");

        // keyboard: the first Tab reaches the skip link, and focus is visible
        browser.get(server + "/");
        browser.await("the dashboard", WAIT, () -> browser.findAll("#pools-body tr").size() >= 2);
        browser.keys(Browser.TAB);
        assertThat(browser.script("return document.activeElement.className").asText()).isEqualTo("skip-link");
        browser.keys(Browser.TAB, Browser.TAB); // the brand link, then the pause button
        JsonNode focused = browser.script("""
                const e = document.activeElement;
                return {id: e.id, outline: getComputedStyle(e).outlineStyle};""");
        assertThat(focused.get("id").asText()).isEqualTo("toggle-pause");
        assertThat(focused.get("outline").asText()).isNotEqualTo("none");
        browser.keys(Browser.ENTER);
        browser.await("the dialog", WAIT, () -> browser.script("return document.getElementById('confirm').open").asBoolean());
        browser.keys(Browser.ESCAPE);
        browser.await("the dialog to close", WAIT, () -> !browser.script("return document.getElementById('confirm').open").asBoolean());
        assertThat(bearer("GET", "/api/v1/reconciliation", null).get("paused").asBoolean()).isFalse();

        // narrow: nothing wider than the window
        browser.viewport(400, 800);
        browser.await("the narrow layout", WAIT, () ->
                browser.script("return document.documentElement.scrollWidth <= window.innerWidth").asBoolean());
        shot("10-narrow-pools");
        browser.click("#pools-body tr[data-preset='python-dev/small'][data-active='true'] .preset-link");
        browser.await("the preset view", WAIT, () -> browser.findAll(".spans li").size() > 0);
        assertThat(browser.script("return document.documentElement.scrollWidth <= window.innerWidth").asBoolean()).isTrue();
        shot("11-narrow-preset");
        browser.viewport(1280, 800);
        browser.get(server + "/");
        browser.await("the dashboard", WAIT, () -> browser.findAll("#pools-body tr").size() >= 2);
        String before = refreshed();
        browser.await("a refresh at 1280×800", WAIT, () -> !refreshed().equals(before));
        shot("12-pools-1280x800");
    }

    @Test
    @Order(7)
    void everyKindOfPreset_hasAPresetViewWithoutErrors() throws Exception {
        // the kinds of examples/presets.yaml: scheduled, unscheduled with a TTL, failing (see test 3), hard-limited
        openPresetViewAndCheck("python-dev/small", true, "13-preset-scheduled");
        assertThat(browser.text("#pv-zone")).startsWith("Europe/Berlin · ");

        openPresetViewAndCheck("python-dev/large", true, "14-preset-ttl-unscheduled");
        assertThat(browser.text("#pv-zone")).startsWith("UTC · ");
        assertThat(browser.findAll("#pv-schedule .spans li")).hasSize(1);
        assertThat(browser.text("#pv-schedule")).contains("00:00–24:00", "all day (no schedule)");

        openPresetViewAndCheck("node-dev/medium", true, "15-preset-unscheduled");
        assertThat(browser.text("#pv-zone")).startsWith("UTC · ");

        assertThat(presetStatus("go-service/broken").get("status").asText()).isEqualTo("hard_limited");
        openPresetViewAndCheck("go-service/broken", true, "16-preset-hard-limited");
        assertThat(browser.text("#pv-status")).isEqualTo("hard limited");
        assertThat(browser.displayed("#pv-resume")).isTrue();

        // inactive: a version of a template that a newer one replaced. Paused, so its prebuilds are not deleted
        // and it stays in the status while the page is looked at.
        bearer("POST", "/api/v1/presets", """
                templates:
                  - name: retired-dev
                    version: v1
                    presets:
                      - name: old
                        parameters: {cpu: "1"}
                        prebuilds: {instances: 1}
                """);
        browser.get(server + "/#/");
        browser.await("retired-dev/old to fill", WAIT, () -> "1".equals(cell("retired-dev/old", "eligible")));
        bearer("POST", "/api/v1/reconciliation/pause", null);
        try {
            bearer("POST", "/api/v1/presets", """
                    templates:
                      - name: retired-dev
                        version: v2
                        presets:
                          - name: new
                            parameters: {cpu: "1"}
                            prebuilds: {instances: 1}
                    """);
            assertThat(presetStatus("retired-dev/new").get("active").asBoolean()).isTrue();
            browser.await("retired-dev/old to show as inactive", WAIT, () -> browser.findAll(
                    "#pools-body tr[data-preset='retired-dev/old']").size() == 1 && browser.findAll(
                    "#pools-body tr[data-preset='retired-dev/old'][data-active='false']").size() == 1);
            openPresetViewAndCheck("retired-dev/old", false, "17-preset-inactive");
            assertThat(browser.text("#pv-status")).isEqualTo("inactive");
            assertThat(browser.text("#pv-chart")).contains("retired-dev/old has no active version: v1 is inactive");
            assertThat(browser.text("#pv-builds")).isEqualTo("None: there is no active version.");
            assertThat(browser.displayed("#pv-claim")).isFalse();
        } finally {
            bearer("POST", "/api/v1/reconciliation/resume", null);
        }
    }
}
