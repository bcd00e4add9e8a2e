package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warmpool.bootstrap.config.Setting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous completion of the http provisioner (issue 15) through the real service — embedded PostgreSQL, real
 * workers, the REST API — against a real receiver on loopback (the JDK's HTTP server) that verifies warmpool's
 * signature, answers {@code 202 Accepted}, and calls back later, signed with the same secret, at the request's
 * {@code callback_url}. The job heartbeat timeout is 1 s and the create timeout 10 s: a callback 3 s later is
 * recorded (the build awaited it, unreaped, with its worker free); a forged or replayed callback is refused; a
 * callback that never comes fails the create at the timeout, counting in {@code k}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BuildCallbackEndToEndTest {

    private static final String SECRET = "callback-secret-for-tests-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRESETS = """
            templates:
              - name: vm
                version: v1
                presets:
                  - name: slow
                    parameters: {cpu: "2"}
                    prebuilds: {instances: %d}
            """;

    @TempDir
    Path dir;

    /** A create request the receiver got: when, its body, its idempotency key. */
    record Received(Instant at, JsonNode body, String key) {
    }

    /** A callback the receiver sent: its URL, body, headers, and warmpool's answer. */
    record Sent(Instant at, URI url, byte[] body, String timestamp, String signature, int status) {
    }

    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private ScheduledExecutorService later;
    private HttpServer receiver;
    private InProcessService running;
    /** How long after a create the receiver calls back; null: never. */
    private volatile Duration callbackAfter;

    @BeforeEach
    void startReceiver() throws IOException {
        later = Executors.newScheduledThreadPool(2);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hooks", this::handle);
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
        receiver.stop(0);
        later.shutdownNow();
    }

    private void start(int instances, String createTimeout) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // the default --public-url comes from --http-addr, so it needs the real port
        }
        running = InProcessService.start(dir, PRESETS.formatted(instances), "", Map.of(
                Setting.HTTP_ADDR, "127.0.0.1:" + port,
                Setting.PROVISIONER, "http",
                Setting.HTTP_PROVISIONER_URL, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks",
                Setting.HTTP_PROVISIONER_SECRET, SECRET,
                Setting.CREATE_TIMEOUT, createTimeout,
                Setting.JOB_HEARTBEAT_TIMEOUT, "1s",
                Setting.WORKERS, "1",
                Setting.RECONCILE_INTERVAL, "500ms",
                Setting.SEED, "5"));
    }

    /** Verifies warmpool's signature as a receiver would; a create is accepted (202), a delete done at once. */
    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String ts = exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp");
        String sig = exchange.getRequestHeaders().getFirst("X-Warmpool-Signature");
        int status;
        if (ts == null || !MessageDigest.isEqual(sign(SECRET, ts, body).getBytes(UTF_8), String.valueOf(sig).getBytes(UTF_8))) {
            status = 401;
        } else {
            JsonNode request = JSON.readTree(body);
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (request.get("transition").asText().equals("create")) {
                received.add(new Received(Instant.now(), request, key));
                Duration after = callbackAfter;
                if (after != null) {
                    later.schedule(() -> callBack(URI.create(request.get("callback_url").asText()), key,
                            request.get("workspace_id").asText()), after.toMillis(), TimeUnit.MILLISECONDS);
                }
                status = 202;
            } else {
                status = 200;
            }
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private void callBack(URI url, String key, String workspace) {
        byte[] body = ("{\"request_id\": \"" + key + "\", \"status\": \"succeeded\", \"outputs\": {\"url\": \"vm://"
                + workspace + "\"}, \"log\": \"booted after a while\"}").getBytes(UTF_8);
        String ts = Long.toString(Instant.now().getEpochSecond());
        sent.add(new Sent(Instant.now(), url, body, ts, sign(SECRET, ts, body), post(url, body, ts, sign(SECRET, ts, body)).statusCode()));
    }

    private HttpResponse<String> post(URI url, byte[] body, String ts, String signature) {
        try {
            return client.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                    .header("X-Warmpool-Timestamp", ts).header("X-Warmpool-Signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode api(String path) throws Exception {
        HttpResponse<String> response = running.send("GET", path, null, "Authorization", "Bearer " + running.token());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private List<JsonNode> workspaces() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        api("/api/v1/workspaces?preset=vm/slow").get("items").forEach(out::add);
        return out;
    }

    @Test
    void aCallbackThreeSecondsLater_isRecorded_whileTheOnlyWorkerWasFree_andForgedOrReplayedCallbacksAreRefused()
            throws Exception {
        callbackAfter = Duration.ofSeconds(3);
        start(2, "10s");

        await().atMost(Duration.ofSeconds(60)).until(() -> sent.size() == 2
                && workspaces().stream().filter(w -> w.get("phase").asText().equals("running")).count() == 2);

        // one worker took both creates before the first callback came: accepting freed it
        List<Received> creates = List.copyOf(received);
        assertThat(creates).hasSize(2);
        Instant firstCallback = sent.stream().map(Sent::at).min(Instant::compareTo).orElseThrow();
        assertThat(creates.get(1).at()).isBefore(firstCallback);
        for (Sent s : sent) {
            assertThat(s.status()).as("callback answered").isEqualTo(200);
            assertThat(s.url().toString()).startsWith(running.server() + "/api/v1/builds/").endsWith("/complete");
        }
        for (Received r : creates) {
            String id = r.key().substring("build-".length());
            assertThat(r.key()).matches("build-[0-9]+");
            assertThat(r.body().get("callback_url").asText()).isEqualTo(running.server() + "/api/v1/builds/" + id + "/complete");
        }
        for (JsonNode w : workspaces()) {
            assertThat(w.get("outputs").get("url").asText()).isEqualTo("vm://" + w.get("id").asText());
            JsonNode build = api("/api/v1/workspaces/" + w.get("id").asText() + "/builds").get("items").get(0);
            assertThat(build.get("status").asText()).isEqualTo("succeeded");
            assertThat(build.get("log").asText()).isEqualTo("booted after a while");
            assertThat(Duration.between(Instant.parse(build.get("startedAt").asText()),
                    Instant.parse(build.get("finishedAt").asText())))
                    .as("it waited past the 1 s heartbeat timeout without being reaped")
                    .isGreaterThan(Duration.ofSeconds(2));
        }
        JsonNode preset = api("/api/v1/presets/vm/slow");
        assertThat(preset.get("consecutiveFailures").asInt()).isZero();
        assertThat(preset.get("running").asInt()).isEqualTo(2);
        String before = workspaces().toString();

        Sent first = sent.peek();
        // replayed: the same signed callback again
        HttpResponse<String> replay = post(first.url(), first.body(), first.timestamp(), first.signature());
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(409);
        // forged: signed with another key
        String now = Long.toString(Instant.now().getEpochSecond());
        HttpResponse<String> forged = post(first.url(), first.body(), now, sign("not-the-secret-of-this-service!", now, first.body()));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
        assertThat(forged.body()).contains("bad signature");
        // stale: rightly signed, 10 minutes old
        String old = Long.toString(Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond());
        HttpResponse<String> stale = post(first.url(), first.body(), old, sign(SECRET, old, first.body()));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(401);
        assertThat(stale.body()).contains("stale");
        // signed for this build, sent to another one
        URI other = URI.create(first.url().toString().replaceFirst("/builds/[0-9]+/", "/builds/999999/"));
        HttpResponse<String> elsewhere = post(other, first.body(), now, sign(SECRET, now, first.body()));
        assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(401);
        assertThat(workspaces().toString()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void aCallbackThatNeverComes_failsTheCreateAtTheCreateTimeout_andCountsInK() throws Exception {
        callbackAfter = null;
        start(1, "2s");

        await().atMost(Duration.ofSeconds(60)).until(() -> api("/api/v1/presets/vm/slow")
                .get("consecutiveFailures").asInt() >= 1);

        JsonNode failed = workspaces().stream().filter(w -> w.get("phase").asText().equals("failed")).findFirst()
                .orElseThrow();
        JsonNode build = api("/api/v1/workspaces/" + failed.get("id").asText() + "/builds").get("items").get(0);
        assertThat(build.get("errorCode").asText()).isEqualTo("callback_timeout");
        assertThat(build.get("error").asText()).contains("create-timeout");
        assertThat(Duration.between(Instant.parse(build.get("startedAt").asText()),
                Instant.parse(build.get("finishedAt").asText()))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(api("/api/v1/presets/vm/slow").get("backoffUntil").isNull()).as("R3: backing off").isFalse();
    }
}
