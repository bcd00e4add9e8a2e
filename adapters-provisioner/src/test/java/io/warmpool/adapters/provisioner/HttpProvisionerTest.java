package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.CircuitBreakerSettings;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.RetrySettings;
import io.warmpool.adapters.provisioner.HttpProvisionerConfig.Timeouts;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP provisioner against a real HTTP server on loopback that verifies every signature. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpProvisionerTest {

    private static final String SECRET = "s3cret-key-for-tests-0123456789abcdef";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server answers: status and body. */
    record Reply(int status, String body) {
    }

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger hits = new AtomicInteger();
    private final ConcurrentLinkedQueue<JsonNode> bodies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> paths = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> idempotencyKeys = new ConcurrentLinkedQueue<>();
    private final CountDownLatch releaseHangingHandlers = new CountDownLatch(1);
    private volatile Function<Integer, Reply> behaviour = hit -> new Reply(200, "");
    private HttpServer server;
    private ExecutorService serverThreads;
    private ScheduledExecutorService retryScheduler;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/", this::handle);
        server.start();
        retryScheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stopServer() {
        releaseHangingHandlers.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        retryScheduler.shutdownNow();
    }

    /** Verifies the signature as a receiver would (its own HMAC code, 5-minute window), then answers. */
    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        int hit = hits.incrementAndGet();
        String timestamp = exchange.getRequestHeaders().getFirst("X-Warmpool-Timestamp");
        String signature = exchange.getRequestHeaders().getFirst("X-Warmpool-Signature");
        Reply reply;
        if (!"POST".equals(exchange.getRequestMethod()) || !validSignature(timestamp, signature, body)) {
            reply = new Reply(401, "{\"error\": \"bad signature\"}");
        } else {
            bodies.add(JSON.readTree(body));
            paths.add(exchange.getRequestURI().getPath());
            idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
            reply = behaviour.apply(hit);
        }
        if (reply == null) {
            try {
                releaseHangingHandlers.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        byte[] out = reply.body().getBytes(UTF_8);
        exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            exchange.getResponseBody().write(out);
        }
        exchange.close();
    }

    private boolean validSignature(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null) {
            return false;
        }
        if (Math.abs(clock.instant().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(UTF_8));
            String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            return MessageDigest.isEqual(expected.getBytes(UTF_8), signature.getBytes(UTF_8));
        } catch (Exception e) {
            return false;
        }
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** A receiver that handles every transition (--http-provisioner-transitions create,delete,check,claim). */
    private HttpProvisionerConfig config(String secret) {
        return HttpProvisionerConfig.of(url("/hooks/workspaces"), HmacSecret.ofUtf8(secret))
                .withTransitions(java.util.EnumSet.allOf(Transition.class))
                .withTimeouts(Timeouts.all(Duration.ofSeconds(10)))
                .withRetry(new RetrySettings(3, Duration.ofMillis(1), 2, Duration.ofMillis(4)));
    }

    private HttpProvisioner provisioner(HttpProvisionerConfig config) {
        return new HttpProvisioner(config, HttpProvisioner.newHttpClient(config), clock, new SplittableRandom(1),
                retryScheduler);
    }

    private static ProvisionResult await(java.util.concurrent.CompletionStage<ProvisionResult> stage) {
        ProvisionResult result = stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(result.toString()).as("the secret never appears in a result").doesNotContain(SECRET);
        return result;
    }

    @Test
    void a2xx_isASuccessWithTheOutputs_andTheServerVerifiedTheSignatureOverTheJsonRequest() {
        behaviour = hit -> new Reply(201, "{\"outputs\": {\"url\": \"https://ws.example/1\", \"port\": 8443}}");

        ProvisionResult result = await(provisioner(config(SECRET)).provision(Requests.create("python-dev", "small", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs())
                .containsOnly(Map.entry("url", "https://ws.example/1"), Map.entry("port", "8443")));
        assertThat(hits).hasValue(1);
        JsonNode body = bodies.peek();
        assertThat(body.get("transition").asText()).isEqualTo("create");
        assertThat(body.get("workspace_id").asText()).isEqualTo(Requests.workspace(1).text());
        assertThat(body.get("template").asText()).isEqualTo("python-dev");
        assertThat(body.get("preset").asText()).isEqualTo("small");
        assertThat(body.get("parameters").get("cpu").asText()).isEqualTo("2");
    }

    @Test
    void aWrongSecret_isRejectedByTheServer_asAPermanentFailureThatNamesNoSecret() {
        behaviour = hit -> new Reply(200, "");

        ProvisionResult result = await(provisioner(config("another-secret-of-enough-length"))
                .provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isTrue();
            assertThat(failed.error()).contains("HTTP 401").contains("bad signature")
                    .doesNotContain("another-secret-of-enough-length");
            assertThat(failed.log()).doesNotContain("another-secret-of-enough-length");
        });
        assertThat(bodies).as("the server accepted nothing").isEmpty();
        assertThat(hits).as("4xx is not retried").hasValue(1);
    }

    @Test
    void theTimestampComesFromTheInjectedClock_soAReceiverRejectsAStaleOne() {
        HttpProvisionerConfig config = config(SECRET);
        MutableClock late = new MutableClock(T0.minus(Duration.ofMinutes(10)));
        HttpProvisioner stale = new HttpProvisioner(config, HttpProvisioner.newHttpClient(config), late,
                new SplittableRandom(1), retryScheduler);

        assertThat(await(stale.provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, f -> assertThat(f.error()).contains("HTTP 401"));
    }

    @Test
    void a4xx_isPermanentWithTheReceiversError_andNotRetried() {
        behaviour = hit -> new Reply(422, "{\"error\": \"unknown image python:9\"}");

        ProvisionResult result = await(provisioner(config(SECRET)).provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isTrue();
            assertThat(failed.error()).isEqualTo("HTTP 422 from " + url("/hooks/workspaces") + ": unknown image python:9");
        });
        assertThat(hits).hasValue(1);
    }

    @Test
    void a5xx_isRetriedUpToTheAttemptLimit_thenATransientFailure() {
        behaviour = hit -> new Reply(503, "<html>maintenance</html>");

        ProvisionResult result = await(provisioner(config(SECRET)).provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isFalse();
            assertThat(failed.error()).contains("HTTP 503").contains("maintenance").endsWith("(gave up after 3 attempts)");
            assertThat(failed.log()).contains("attempt 1: HTTP 503").contains("attempt 3: HTTP 503");
        });
        assertThat(hits).hasValue(3);
    }

    @Test
    void aRetryThatSucceeds_isASuccess() {
        behaviour = hit -> hit < 3 ? new Reply(500, "") : new Reply(200, "{\"url\": \"https://ws.example/2\"}");

        ProvisionResult result = await(provisioner(config(SECRET)).provision(Requests.create("t", "p", 2)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class,
                ok -> assertThat(ok.outputs()).containsOnly(Map.entry("url", "https://ws.example/2")));
        assertThat(hits).hasValue(3);
    }

    @Test
    void tooManyRequests_isTransientAndRetried() {
        behaviour = hit -> hit == 1 ? new Reply(429, "slow down") : new Reply(204, "");

        assertThat(await(provisioner(config(SECRET)).provision(Requests.delete("t", "p", 1))))
                .isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(hits).hasValue(2);
    }

    @Test
    void aReceiverThatNeverAnswers_timesOutAtTheTransitionsTimeout_asATransientFailureNamingTheSetting() {
        behaviour = hit -> null;

        ProvisionResult result = await(provisioner(config(SECRET)
                .withTimeouts(new Timeouts(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(10),
                        Duration.ofSeconds(10)))
                .withRetry(new RetrySettings(2, Duration.ofMillis(1), 2, Duration.ofMillis(2))))
                .provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isFalse();
            assertThat(failed.error()).contains("create timed out after PT0.5S (create-timeout)");
        });
        assertThat(hits).as("the one attempt used the whole timeout; no retry outlives it").hasValue(1);
    }

    @Test
    void aClosedPort_isATransientConnectionFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/hook");

        ProvisionResult result = await(provisioner(config(SECRET).withUrls(nowhere, nowhere))
                .provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isFalse();
            assertThat(failed.error()).contains("connection");
        });
    }

    @Test
    void a2xxWithABodyThatIsNotOutputs_isATransientFailure_notRetried() {
        behaviour = hit -> new Reply(200, "[1, 2]");

        assertThat(await(provisioner(config(SECRET)).provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).contains("not a JSON object");
                });
        assertThat(hits).as("the receiver acted; sending again would repeat the build").hasValue(1);
    }

    @Test
    void theCircuitOpensUnderAnOutage_thenRequestsAreUnavailableWithoutReachingTheServer_andAProbeClosesIt() {
        HttpProvisioner provisioner = provisioner(config(SECRET)
                .withRetry(new RetrySettings(2, Duration.ofMillis(1), 1, Duration.ofMillis(1)))
                .withCircuitBreaker(new CircuitBreakerSettings(4, 4, 50, Duration.ofSeconds(30), 1)));
        behaviour = hit -> new Reply(502, "bad gateway");

        assertThat(await(provisioner.provision(Requests.create("t", "p", 1)))).isInstanceOf(ProvisionResult.Failed.class);
        ProvisionResult second = await(provisioner.provision(Requests.create("t", "p", 2)));
        assertThat(hits).hasValue(4);
        assertThat(provisioner.circuitState(Transition.CREATE)).isEqualTo("open");
        assertThat(second).as("the circuit opened after its 4th failed attempt")
                .isInstanceOf(ProvisionResult.Failed.class);

        ProvisionResult duringOutage = await(provisioner.provision(Requests.create("t", "p", 3)));
        assertThat(duringOutage).isInstanceOfSatisfying(ProvisionResult.Unavailable.class,
                u -> assertThat(u.reason()).contains("circuit breaker").contains("open"));
        assertThat(hits).as("nothing sent while open").hasValue(4);

        behaviour = hit -> new Reply(200, "");
        clock.advance(Duration.ofSeconds(29));
        assertThat(await(provisioner.provision(Requests.create("t", "p", 4)))).isInstanceOf(ProvisionResult.Unavailable.class);
        assertThat(hits).hasValue(4);

        clock.advance(Duration.ofSeconds(2));
        assertThat(await(provisioner.provision(Requests.create("t", "p", 5)))).isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(hits).as("one half-open probe").hasValue(5);
        assertThat(provisioner.circuitState(Transition.CREATE)).isEqualTo("closed");
        assertThat(await(provisioner.provision(Requests.create("t", "p", 6)))).isInstanceOf(ProvisionResult.Succeeded.class);
    }

    @Test
    void eachEndpointHasItsOwnCircuit() {
        HttpProvisioner provisioner = provisioner(config(SECRET).withUrls(url("/create"), url("/delete"))
                .withRetry(new RetrySettings(1, Duration.ofMillis(1), 1, Duration.ofMillis(1)))
                .withCircuitBreaker(new CircuitBreakerSettings(2, 2, 50, Duration.ofSeconds(30), 1)));
        behaviour = hit -> paths.stream().reduce((a, b) -> b).orElse("").equals("/create")
                ? new Reply(500, "") : new Reply(200, "");

        await(provisioner.provision(Requests.create("t", "p", 1)));
        await(provisioner.provision(Requests.create("t", "p", 2)));

        assertThat(provisioner.circuitState(Transition.CREATE)).isEqualTo("open");
        assertThat(provisioner.circuitState(Transition.DELETE)).isEqualTo("closed");
        assertThat(await(provisioner.provision(Requests.delete("t", "p", 1)))).isInstanceOf(ProvisionResult.Succeeded.class);
        assertThat(paths).containsExactly("/create", "/create", "/delete");
    }

    @Test
    void whenTheRetrySchedulerIsStopped_aRetryEndsUnavailable_notAsAFailureOfThePreset() {
        behaviour = hit -> new Reply(503, "");
        HttpProvisioner provisioner = provisioner(config(SECRET));
        retryScheduler.shutdownNow();

        assertThat(await(provisioner.provision(Requests.create("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Unavailable.class, u -> assertThat(u.reason()).contains("stopped"));
        assertThat(hits).hasValue(1);
    }

    @Test
    void retryWaitsGrowExponentiallyWithEqualJitter_deterministicForASeed() {
        RetrySettings settings = new RetrySettings(6, Duration.ofMillis(100), 2, Duration.ofMillis(1000));

        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        var a = HttpProvisioner.backoff(settings, new SplittableRandom(9));
        var b = HttpProvisioner.backoff(settings, new SplittableRandom(9));
        for (int retry = 1; retry <= 5; retry++) {
            first.add(a.apply(retry));
            second.add(b.apply(retry));
        }

        assertThat(first).isEqualTo(second);
        long[] caps = {100, 200, 400, 800, 1000};
        for (int i = 0; i < caps.length; i++) {
            assertThat(first.get(i)).isBetween((caps[i] + 1) / 2, caps[i]);
        }
    }

    @Test
    void everyAttemptCarriesTheRequestIdAsIdempotencyKey_theSameAcrossRetries() {
        behaviour = hit -> hit < 3 ? new Reply(503, "") : new Reply(200, "");
        HttpProvisioner provisioner = provisioner(config(SECRET));

        await(provisioner.provision(Requests.create("t", "p", 1)));
        await(provisioner.provision(Requests.delete("t", "p", 1)));

        assertThat(idempotencyKeys).containsExactly("create-" + Requests.workspace(1), "create-" + Requests.workspace(1),
                "create-" + Requests.workspace(1), "delete-" + Requests.workspace(1));
    }

    @Test
    void aQueuedBuildsKeyIsItsBuildId() {
        var job = new io.warmpool.application.port.out.Job(new io.warmpool.application.port.out.JobId(41),
                Transition.CREATE, Requests.workspace(1), "prebuild-1", "prebuilds",
                new io.warmpool.domain.PresetId("t", "v1", "p"), Map.of(), Map.of(), 2);

        await(provisioner(config(SECRET)).provision(io.warmpool.application.port.out.ProvisionRequest.of(job)));

        assertThat(idempotencyKeys).containsExactly("build-41");
    }

    @Test
    void byDefault_onlyCreateAndDeleteAreSent_aClaimIsANoOpAndACheckCannotBeMade_withoutARequest() {
        // A receiver built before check and claim existed is never sent them (--http-provisioner-transitions).
        behaviour = hit -> new Reply(400, "{\"error\": \"unknown transition\"}");
        HttpProvisioner provisioner = provisioner(HttpProvisionerConfig.of(url("/hooks/workspaces"), HmacSecret.ofUtf8(SECRET)));

        assertThat(provisioner.supports(Transition.CREATE)).isTrue();
        assertThat(provisioner.supports(Transition.DELETE)).isTrue();
        assertThat(provisioner.supports(Transition.CLAIM)).isFalse();
        assertThat(provisioner.supports(Transition.CHECK)).isFalse();
        assertThat(await(provisioner.provision(Requests.claim("t", "p", 5, Map.of("dotfiles", "d")))))
                .isInstanceOfSatisfying(ProvisionResult.Succeeded.class, ok -> assertThat(ok.outputs()).isEmpty());
        assertThat(await(provisioner.provision(Requests.check("t", "p", 3))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isTrue();
                    assertThat(failed.error()).contains("--http-provisioner-transitions");
                });
        assertThat(hits).as("no request reached the receiver").hasValue(0);
        assertThatThrownBy(() -> HttpProvisionerConfig.of(url("/"), HmacSecret.ofUtf8(SECRET))
                .withTransitions(java.util.Set.of(Transition.CREATE, Transition.CLAIM)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("create and delete");
    }

    @Test
    void aCheckIsPostedWithItsTransition_andAnswersTheStatusInTheBody() {
        behaviour = hit -> new Reply(200, "{\"status\": \"starting\", \"error\": \"booting\"}");
        HttpProvisioner provisioner = provisioner(config(SECRET));

        ProvisionResult result = await(provisioner.provision(Requests.check("t", "p", 3)));

        assertThat(provisioner.supports(Transition.CHECK)).isTrue();
        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Checked.class, checked -> {
            assertThat(checked.health()).isEqualTo(io.warmpool.application.port.out.Health.STARTING);
            assertThat(checked.detail()).isEqualTo("booting");
        });
        JsonNode body = bodies.peek();
        assertThat(body.get("transition").asText()).isEqualTo("check");
        assertThat(body.get("outputs").get("url").asText()).isEqualTo("https://x.invalid/3");
        assertThat(paths).containsExactly("/hooks/workspaces");
        assertThat(idempotencyKeys).containsExactly("check-3");
    }

    @Test
    void aCheckAnsweredWithoutAStatus_isATransientFailureNamingTheShape_notRetried() {
        behaviour = hit -> new Reply(200, "{\"url\": \"x\"}");

        assertThat(await(provisioner(config(SECRET)).provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
                    assertThat(failed.permanent()).isFalse();
                    assertThat(failed.error()).contains("HTTP 200").contains("without \"status\"")
                            .contains("it must be one JSON object {\"status\": \"ready\" |");
                });
        assertThat(hits).hasValue(1);
    }

    @Test
    void aClaimIsPostedWithItsTransitionOwnerNameAndParameters_andItsOutputsComeBack() {
        behaviour = hit -> new Reply(200, "{\"outputs\": {\"url\": \"https://ws.example/alice\"}}");
        HttpProvisioner provisioner = provisioner(config(SECRET).withUrls(url("/create"), url("/delete")));

        ProvisionResult result = await(provisioner.provision(Requests.claim("t", "p", 5, Map.of("dotfiles", "d"))));

        assertThat(provisioner.supports(Transition.CLAIM)).isTrue();
        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Succeeded.class,
                ok -> assertThat(ok.outputs()).containsOnly(Map.entry("url", "https://ws.example/alice")));
        JsonNode body = bodies.peek();
        assertThat(body.get("transition").asText()).isEqualTo("claim");
        assertThat(body.get("owner").asText()).isEqualTo("alice");
        assertThat(body.get("workspace_name").asText()).isEqualTo("alice-ws");
        assertThat(body.get("parameters").get("dotfiles").asText()).isEqualTo("d");
        assertThat(paths).as("claims go to the create URL").containsExactly("/create");
        assertThat(idempotencyKeys).containsExactly("claim-5");
    }

    @Test
    void eachTransitionHasItsOwnTimeout() {
        behaviour = hit -> null;
        HttpProvisioner provisioner = provisioner(config(SECRET)
                .withTimeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofMillis(200),
                        Duration.ofMillis(300)))
                .withRetry(new RetrySettings(1, Duration.ofMillis(1), 1, Duration.ofMillis(1))));

        assertThat(await(provisioner.provision(Requests.check("t", "p", 1))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> assertThat(failed.error())
                        .contains("check timed out after PT0.2S (check-timeout)"));
        assertThat(await(provisioner.provision(Requests.claim("t", "p", 1, Map.of()))))
                .isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> assertThat(failed.error())
                        .contains("claim timed out after PT0.3S (claim-timeout)"));
    }

    @Test
    void retriesHappenOnlyWithinTheTransitionsTimeout() {
        // Every answer is a fast 503; the retry waits (about 300 ms each) outlast a 500 ms timeout after two attempts.
        behaviour = hit -> new Reply(503, "");
        HttpProvisioner provisioner = provisioner(config(SECRET)
                .withTimeouts(Timeouts.all(Duration.ofMillis(500)))
                .withRetry(new RetrySettings(10, Duration.ofMillis(300), 1, Duration.ofMillis(300))));

        ProvisionResult result = await(provisioner.provision(Requests.create("t", "p", 1)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Failed.class, failed -> {
            assertThat(failed.permanent()).isFalse();
            assertThat(failed.error()).contains("create timed out after PT0.5S (create-timeout)");
        });
        assertThat(hits.get()).as("not all 10 attempts: the timeout ended them").isBetween(1, 3);
    }

    @Test
    void timeoutsDefaultPerSpec_andBadOnesNameTheSetting() {
        assertThat(HttpProvisionerConfig.of(url("/"), HmacSecret.ofUtf8(SECRET)).timeouts())
                .isEqualTo(new Timeouts(Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofSeconds(30),
                        Duration.ofSeconds(60)));
        assertThatThrownBy(() -> new Timeouts(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                Duration.ZERO)).hasMessageContaining("claim-timeout");
    }

    @Test
    void theSecretNeverPrintsAndBadConfigNamesTheField() {
        HttpProvisionerConfig config = config(SECRET);
        assertThat(config.toString()).doesNotContain(SECRET).contains("redacted");
        assertThatThrownBy(() -> HmacSecret.ofUtf8("short")).hasMessageContaining("at least 16 bytes")
                .message().doesNotContain("short");
        assertThatThrownBy(() -> HttpProvisionerConfig.of(URI.create("ftp://x/"), HmacSecret.ofUtf8(SECRET)))
                .hasMessageContaining("create-url");
        assertThatThrownBy(() -> HttpProvisionerConfig.of(URI.create("https://user:pw@x/"), HmacSecret.ofUtf8(SECRET)))
                .hasMessageContaining("credentials").message().doesNotContain("pw");
        assertThatThrownBy(() -> new RetrySettings(0, Duration.ofMillis(1), 2, Duration.ofMillis(1)))
                .hasMessageContaining("retry.max-attempts");
        assertThatThrownBy(() -> new CircuitBreakerSettings(1, 1, 0, Duration.ofSeconds(1), 1))
                .hasMessageContaining("circuit-breaker.failure-rate-percent");
    }

    @Test
    void signaturesVerifyWithTheHelper_andTamperingOrStaleTimestampsFail() {
        HmacSecret secret = HmacSecret.ofUtf8(SECRET);
        byte[] body = "{\"a\":1}".getBytes(UTF_8);
        String ts = Long.toString(T0.getEpochSecond());
        String signature = HttpSignature.sign(secret, ts, body);

        assertThat(HttpSignature.verify(secret, ts, body, signature, T0, Duration.ofMinutes(5))).isTrue();
        assertThat(HttpSignature.verify(secret, ts, "{\"a\":2}".getBytes(UTF_8), signature, T0, Duration.ofMinutes(5))).isFalse();
        assertThat(HttpSignature.verify(secret, ts, body, signature, T0.plusSeconds(301), Duration.ofMinutes(5))).isFalse();
        assertThat(HttpSignature.verify(HmacSecret.ofUtf8(SECRET + "x"), ts, body, signature, T0, Duration.ofMinutes(5))).isFalse();
    }

    // ---------------------------------------------------------------- 202 Accepted (asynchronous completion)

    /** A queued build's request, as the worker sends it: request id {@code build-<id>}. */
    private static io.warmpool.application.port.out.ProvisionRequest queued(
            io.warmpool.application.port.out.ProvisionRequest r, long buildId) {
        return new io.warmpool.application.port.out.ProvisionRequest(r.transition(), r.workspace(), r.workspaceName(),
                r.owner(), r.preset(), r.parameters(), r.outputs(), r.attempt(), "build-" + buildId);
    }

    @Test
    void a202ToACreate_isAcceptedWithTheCreateTimeout_notRetried_andTheRequestSaysWhereToCallBack() {
        behaviour = hit -> new Reply(202, "{\"eta\": \"6m\"}");
        HttpProvisionerConfig config = config(SECRET).withTimeouts(new Timeouts(Duration.ofMinutes(7),
                Duration.ofMinutes(3), Duration.ofSeconds(5), Duration.ofSeconds(6)))
                .withPublicUrl(URI.create("https://warmpool.example:8443/"));

        ProvisionResult result = await(provisioner(config).provision(queued(Requests.create("t", "p", 1), 42)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Accepted.class, accepted -> {
            assertThat(accepted.timeout()).isEqualTo(Duration.ofMinutes(7));
            assertThat(accepted.log()).contains("HTTP 202").contains("6m");
        });
        assertThat(hits).as("an acceptance is final: never sent again").hasValue(1);
        JsonNode body = bodies.peek();
        assertThat(body.get("callback_url").asText())
                .isEqualTo("https://warmpool.example:8443/api/v1/builds/42/complete");
        assertThat(idempotencyKeys).containsExactly("build-42");
    }

    @Test
    void a202ToADelete_isAcceptedWithTheDeleteTimeout() {
        behaviour = hit -> new Reply(202, "");
        HttpProvisionerConfig config = config(SECRET).withTimeouts(new Timeouts(Duration.ofMinutes(7),
                Duration.ofMinutes(3), Duration.ofSeconds(5), Duration.ofSeconds(6)))
                .withPublicUrl(URI.create("http://127.0.0.1:8080"));

        ProvisionResult result = await(provisioner(config).provision(queued(Requests.delete("t", "p", 1), 7)));

        assertThat(result).isInstanceOfSatisfying(ProvisionResult.Accepted.class,
                accepted -> assertThat(accepted.timeout()).isEqualTo(Duration.ofMinutes(3)));
        assertThat(bodies.peek().get("callback_url").asText()).isEqualTo("http://127.0.0.1:8080/api/v1/builds/7/complete");
    }

    @Test
    void withoutAPublicUrlOrForAnUnqueuedRequest_thereIsNoCallbackUrl_andA202ToACheckIsNotAnAcceptance() {
        behaviour = hit -> new Reply(202, hit == 3 ? "{\"status\": \"ready\"}" : "");

        await(provisioner(config(SECRET)).provision(queued(Requests.create("t", "p", 1), 42)));
        await(provisioner(config(SECRET).withPublicUrl(URI.create("http://127.0.0.1:8080")))
                .provision(Requests.create("t", "p", 2)));
        ProvisionResult check = await(provisioner(config(SECRET)).provision(Requests.check("t", "p", 3)));

        assertThat(bodies).allSatisfy(body -> assertThat(body.has("callback_url")).isFalse());
        assertThat(check).isInstanceOf(ProvisionResult.Checked.class);
    }
}
