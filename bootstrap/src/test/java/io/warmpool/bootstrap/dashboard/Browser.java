package io.warmpool.bootstrap.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium driven through the system's chromedriver over the W3C WebDriver protocol (plain HTTP and
 * JSON, so nothing is downloaded at run time and no driver manager is involved). Only what the dashboard tests
 * need: navigate, find, click, type, keys, run a script, cookies, window size, screenshots, the console log.
 *
 * <p>When Chromium or chromedriver is missing the tests are skipped, unless {@code WARMPOOL_REQUIRE_BROWSER} is
 * set (CI sets it), in which case they fail.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("WARMPOOL_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("WARMPOOL_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String session;

    private Browser(Process driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    /** Starts chromedriver and a headless Chromium with a fresh profile under {@code dir}; skips or fails without them. */
    static Browser start(Path dir) throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String why = "headless Chromium needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install chromium chromium-driver)";
            if (System.getenv("WARMPOOL_REQUIRE_BROWSER") != null) {
                Assertions.fail(why + "; WARMPOOL_REQUIRE_BROWSER is set, so a missing browser is a failure");
            }
            Assumptions.abort(why + "; skipped (set WARMPOOL_REQUIRE_BROWSER to make this a failure)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dir);
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromedriver.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient probe = HttpClient.newHttpClient();
        try {
            Awaitility.await("chromedriver ready on " + base).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .failFast("chromedriver exited", () -> !driver.isAlive())
                    // a ConnectException before it listens (ignoreException would skip IOException itself only)
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        HttpResponse<String> r = probe.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && JSON.readTree(r.body()).path("value").path("ready").asBoolean();
                    });
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            driver.destroyForcibly();
            Assertions.fail("chromedriver did not start (" + e.getMessage() + "); see " + dir.resolve("chromedriver.log"));
        }
        ObjectNode options = JSON.createObjectNode();
        options.put("binary", CHROMIUM.toString());
        var args = options.putArray("args");
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--window-size=1280,800", "--lang=en-GB",
                "--user-data-dir=" + dir.resolve("profile"))) {
            args.add(a);
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.set("goog:chromeOptions", options);
        // the console (errors, uncaught exceptions, failed requests) through chromedriver's log endpoint
        always.putObject("goog:loggingPrefs").put("browser", "ALL");
        Browser b = new Browser(driver, base, null);
        JsonNode created;
        try {
            created = b.call("POST", "/session", caps);
        } catch (RuntimeException e) {
            driver.destroyForcibly();
            throw e;
        }
        return new Browser(driver, base, created.path("sessionId").asText());
    }

    // ---- protocol ---------------------------------------------------------------------------------------------

    private JsonNode call(String method, String path, Object body) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json");
            req.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = JSON.readTree(r.body()).path("value");
            if (r.statusCode() >= 400) {
                throw new WebDriverException(value.path("error").asText() + ": " + value.path("message").asText());
            }
            return value;
        } catch (IOException e) {
            throw new WebDriverException("chromedriver: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebDriverException("interrupted");
        }
    }

    private JsonNode session(String method, String path, Object body) {
        return call(method, "/session/" + session + path, body);
    }

    static final class WebDriverException extends RuntimeException {
        WebDriverException(String message) {
            super(message);
        }
    }

    // ---- commands ---------------------------------------------------------------------------------------------

    void get(String url) {
        session("POST", "/url", Map.of("url", url));
    }

    String currentUrl() {
        return session("GET", "/url", null).asText();
    }

    void windowSize(int width, int height) {
        session("POST", "/window/rect", Map.of("width", width, "height", height));
    }

    /** Sizes the window so that the page's viewport is {@code width × height} CSS pixels. */
    void viewport(int width, int height) {
        windowSize(width, height);
        JsonNode inner = script("return [window.innerWidth, window.innerHeight]");
        windowSize(width + width - inner.get(0).asInt(), height + height - inner.get(1).asInt());
    }

    /** The first element matching {@code css}; fails when there is none. */
    String find(String css) {
        return session("POST", "/element", Map.of("using", "css selector", "value", css)).path(ELEMENT).asText();
    }

    List<String> findAll(String css) {
        List<String> out = new ArrayList<>();
        session("POST", "/elements", Map.of("using", "css selector", "value", css)).forEach(e -> out.add(e.path(ELEMENT).asText()));
        return out;
    }

    void click(String css) {
        session("POST", "/element/" + find(css) + "/click", Map.of());
    }

    void type(String css, String text) {
        session("POST", "/element/" + find(css) + "/value", Map.of("text", text));
    }

    String text(String css) {
        return session("GET", "/element/" + find(css) + "/text", null).asText();
    }

    boolean displayed(String css) {
        List<String> found = findAll(css);
        return !found.isEmpty() && session("GET", "/element/" + found.get(0) + "/displayed", null).asBoolean();
    }

    /** Presses keys (WebDriver key codes, e.g. {@code "\uE004"} for Tab) one after the other. */
    void keys(String... keys) {
        List<Map<String, String>> actions = new ArrayList<>();
        for (String k : keys) {
            actions.add(Map.of("type", "keyDown", "value", k));
            actions.add(Map.of("type", "keyUp", "value", k));
        }
        session("POST", "/actions", Map.of("actions", List.of(Map.of("type", "key", "id", "keyboard", "actions", actions))));
    }

    static final String TAB = "\uE004";
    static final String ENTER = "\uE007";
    static final String ESCAPE = "\uE00C";

    /** Runs {@code script} (a function body; {@code arguments} are the args) and returns its JSON value. */
    JsonNode script(String script, Object... args) {
        return session("POST", "/execute/sync", Map.of("script", script, "args", List.of(args)));
    }

    /** Runs an async script whose last argument is the callback. */
    JsonNode asyncScript(String script, Object... args) {
        return session("POST", "/execute/async", Map.of("script", script, "args", List.of(args)));
    }

    JsonNode cookies() {
        return session("GET", "/cookie", null);
    }

    /**
     * The browser console's entries since the last call (chromedriver hands each out once): console messages,
     * uncaught exceptions and failed requests, each {@code {level, message, timestamp}}; {@code SEVERE} for errors.
     */
    List<JsonNode> consoleLog() {
        List<JsonNode> out = new ArrayList<>();
        session("POST", "/se/log", Map.of("type", "browser")).forEach(out::add);
        return out;
    }

    /** Saves a PNG of the viewport. */
    Path screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(session("GET", "/screenshot", null).asText()));
        return file;
    }

    /** Polls {@code condition} every 100 ms until it holds; WebDriver errors (a missing element) count as false. */
    void await(String what, Duration timeout, Supplier<Boolean> condition) {
        try {
            Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .ignoreException(WebDriverException.class)
                    .until(() -> Boolean.TRUE.equals(condition.get()));
        } catch (ConditionTimeoutException e) {
            Assertions.fail("timed out after " + timeout.toSeconds() + " s waiting for " + what
                    + (e.getCause() == null ? "" : " (last error: " + e.getCause().getMessage() + ")"));
        }
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (RuntimeException e) {
            // the browser may already be gone
        } finally {
            driver.destroy();
            try {
                if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                driver.destroyForcibly();
            }
        }
    }
}
