package io.warmpool.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.adapters.http.dashboard.SignInCodes;
import io.warmpool.adapters.http.security.HostCheck;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.domain.PresetId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 13, the HTTP side, the way a client meets it: Content-Type, the Host check, one-time sign-in codes, and
 * slow or vanishing clients (with short limits, so each case takes about a second).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHardeningTest {

    static final String TOKEN = "t0ken-for-hardening-tests";
    static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");
    static final HttpLimits SHORT = new HttpLimits(Duration.ofSeconds(20), Duration.ofMillis(600),
            Duration.ofMillis(800), 100, 2);

    final InspectUseCase inspect = mock(InspectUseCase.class);
    final ApplyPresetsUseCase apply = mock(ApplyPresetsUseCase.class);
    final OperatePresetsUseCase operate = mock(OperatePresetsUseCase.class);
    final ClaimPrebuildUseCase claim = mock(ClaimPrebuildUseCase.class);
    final PauseReconciliationUseCase reconciliation = mock(PauseReconciliationUseCase.class);
    final ReleaseWorkspaceUseCase release = mock(ReleaseWorkspaceUseCase.class);
    final PresetHistoryUseCase history = mock(PresetHistoryUseCase.class);
    final MovableClock clock = new MovableClock(NOW);
    final ObjectMapper json = new ObjectMapper();

    /** An empty scrape: these tests look at how requests are handled, not at what {@code /metrics} holds. */
    static final MetricsExposition NO_METRICS = new MetricsExposition() {
        @Override
        public String contentType() {
            return "text/plain; version=0.0.4; charset=utf-8";
        }

        @Override
        public void writeTo(OutputStream out) {
        }
    };

    RestApi api;
    int port;

    @BeforeAll
    void start() {
        api = newApi(List.of("warmpool.example.org", "proxy.example.org:8443"));
        api.start();
        port = api.port();
    }

    @AfterAll
    void stop() {
        api.stop();
    }

    RestApi newApi(List<String> allowedHosts) {
        return new RestApi(new HttpAddress("127.0.0.1", 0), SHORT, allowedHosts,
                new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release, history), TOKEN,
                ReadinessCheck.ALWAYS, NO_METRICS, clock);
    }

    // ---- raw HTTP: the JDK client neither lets a test set Host nor send half a request ---------------------------

    record Response(int status, String headers, String body) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Response request(String method, String path, String host, String body, String... headers) {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            request.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            return parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Response authed(String method, String path, String body, String... headers) {
        String[] all = Stream.concat(Stream.of("Authorization", "Bearer " + TOKEN), Stream.of(headers)).toArray(String[]::new);
        return request(method, path, "127.0.0.1:" + port, body, all);
    }

    static Response parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        assertThat(end).as("a whole HTTP response: %s", raw).isPositive();
        String head = raw.substring(0, end);
        String body = raw.substring(end + 4);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) {
            StringBuilder plain = new StringBuilder();
            for (int at = 0; ; ) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
                if (size == 0) {
                    break;
                }
                plain.append(body, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            body = plain.toString();
        }
        return new Response(Integer.parseInt(head.substring(9, 12)), head, body);
    }

    static Stream<String> jsonBodyRoutes() {
        return Stream.of("/api/v1/presets/python-dev/small/claims", "/api/v1/presets/python-dev/small/resume",
                "/api/v1/presets/python-dev/small/invalidate", "/api/v1/reconciliation/pause",
                "/api/v1/reconciliation/resume", RestApi.SIGN_IN_CODES);
    }

    @Nested
    class ContentType {

        @Test
        void theJsonRoutesCheckedHere_areEveryPostRouteButThePresetsUpload() {
            // The agent ready route takes no body (a body would be checked as JSON all the same).
            List<String> posts = api.routes().stream().filter(r -> r.method().equals("POST"))
                    .filter(r -> !r.path().endsWith("/ready"))
                    .map(r -> r.path().replace("{template}/{preset}", "python-dev/small")).sorted().toList();

            assertThat(posts).containsExactlyInAnyOrderElementsOf(
                    Stream.concat(jsonBodyRoutes(), Stream.of("/api/v1/presets", "/api/v1/builds/{id}/complete")).toList());
        }

        @ParameterizedTest(name = "POST {0}")
        @MethodSource("io.warmpool.adapters.http.HttpHardeningTest#jsonBodyRoutes")
        void aJsonRouteGivenABodyOfAnotherType_is415_andNothingRuns(String path) {
            for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
                Response response = authed("POST", path, "{}", "Content-Type", type);

                assertThat(response.status()).as(type).isEqualTo(415);
                assertThat(response.json().get("error").asText()).contains("Content-Type", "application/json");
            }
            Response none = authed("POST", path, "{}");
            assertThat(none.status()).isEqualTo(415);
            verifyNoInteractions(claim, operate, reconciliation, apply);
        }

        @Test
        void aClaim_acceptsJsonWithACharset() {
            when(claim.claimWaiting(any())).thenReturn(java.util.concurrent.CompletableFuture.completedFuture(
                    new ClaimPrebuildUseCase.Missed(new PresetId("python-dev", "v3", "small"))));

            Response response = authed("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"alice\"}",
                    "Content-Type", "application/json; charset=utf-8");

            assertThat(response.status()).isEqualTo(409);
        }

        @Test
        void aBodilessAction_needsNoContentType() {
            assertThat(authed("POST", "/api/v1/reconciliation/pause", null).status()).isEqualTo(200);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png"})
        void thePresetsUpload_refusesWhatIsNotYamlNorJson(String type) {
            Response response = authed("POST", "/api/v1/presets", "templates: []", "Content-Type", type);

            assertThat(response.status()).isEqualTo(415);
            assertThat(response.json().get("error").asText()).contains("application/yaml");
            verifyNoInteractions(apply);
        }

        @Test
        void withoutAToken_itIs401_not415() {
            assertThat(request("POST", "/api/v1/reconciliation/pause", "127.0.0.1:" + port, "{}", "Content-Type",
                    "text/plain").status()).isEqualTo(401);
        }
    }

    @Nested
    class HostHeader {

        @ParameterizedTest(name = "GET {0}")
        @ValueSource(strings = {"/metrics", "/healthz", "/readyz", "/", "/assets/app.js", "/api/v1/status", "/nope"})
        void aRebindingHost_is421_onEveryRoute(String path) {
            Response response = request("GET", path, "attacker.example:" + port, null, "Authorization", "Bearer " + TOKEN);

            assertThat(response.status()).isEqualTo(421);
            assertThat(response.headers()).containsIgnoringCase("content-type: application/problem+json");
            assertThat(response.json().get("type").asText()).isEqualTo("urn:warmpool:problem:misdirected-request");
            assertThat(response.json().get("detail").asText()).contains("misdirected request", "--allowed-hosts");
            verifyNoInteractions(inspect);
        }

        @ParameterizedTest(name = "Host: {0}")
        @CsvSource({"127.0.0.1:PORT", "localhost:PORT", "LOCALHOST:PORT", "[::1]:PORT", "warmpool.example.org:PORT",
                "warmpool.example.org", "proxy.example.org:8443"})
        void theListeningAddressAndTheAllowedHosts_areServed(String host) {
            assertThat(request("GET", "/healthz", host.replace("PORT", String.valueOf(port)), null).status())
                    .isEqualTo(200);
        }

        @ParameterizedTest(name = "Host: {0}")
        @CsvSource({"127.0.0.1:1", "localhost", "proxy.example.org:8444", "proxy.example.org",
                "warmpool.example.org.attacker.example:PORT", "127.0.0.2:PORT", "localhost.:PORT"})
        void anotherPortOrName_is421(String host) {
            assertThat(request("GET", "/metrics", host.replace("PORT", String.valueOf(port)), null).status())
                    .isEqualTo(421);
        }

        @Test
        void allowedHostEntries_matchTheirNameOnAnyPort_orExactlyTheirPort() {
            assertThat(HostCheck.allowedHostMatches("a.example", "a.example:99")).isTrue();
            assertThat(HostCheck.allowedHostMatches("a.example:8443", "a.example:8443")).isTrue();
            assertThat(HostCheck.allowedHostMatches("a.example:8443", "a.example:8443:1")).isFalse();
            assertThat(HostCheck.allowedHostMatches("[fd00::1]", "[fd00::1]:80")).isTrue();
            assertThat(HostCheck.allowedHostMatches("a.example", "a.example:x")).isFalse();
        }
    }

    @Nested
    class SignInCodesOfTheDashboard {

        String newCodePath() {
            Response issued = authed("POST", RestApi.SIGN_IN_CODES, null);
            assertThat(issued.status()).isEqualTo(201);
            JsonNode body = issued.json();
            assertThat(body.get("url").asText()).isEqualTo("http://127.0.0.1:" + port + body.get("path").asText());
            assertThat(body.get("expiresAt").asText()).isEqualTo(clock.instant().plus(SignInCodes.TTL).toString());
            return body.get("path").asText();
        }

        @Test
        void aCode_signsInOnce_andItsReuseIsRefused() {
            String path = newCodePath();

            Response first = request("GET", path, "127.0.0.1:" + port, null);
            Response again = request("GET", path, "127.0.0.1:" + port, null);

            assertThat(first.status()).isEqualTo(303);
            assertThat(first.headers()).contains("Set-Cookie: warmpool_session=", "HttpOnly", "SameSite=Strict");
            assertThat(again.status()).isEqualTo(401);
            assertThat(again.headers()).doesNotContain("Set-Cookie");
            assertThat(again.body()).contains("not valid any more");
        }

        @Test
        void anExpiredCode_isRefused() {
            String path = newCodePath();
            clock.advance(SignInCodes.TTL.plusSeconds(1));
            try {
                Response response = request("GET", path, "127.0.0.1:" + port, null);

                assertThat(response.status()).isEqualTo(401);
                assertThat(response.headers()).doesNotContain("Set-Cookie");
            } finally {
                clock.set(NOW);
            }
        }

        @Test
        void aCodeJustBeforeItsExpiry_signsIn() {
            String path = newCodePath();
            clock.advance(SignInCodes.TTL.minusSeconds(1));
            try {
                assertThat(request("GET", path, "127.0.0.1:" + port, null).status()).isEqualTo(303);
            } finally {
                clock.set(NOW);
            }
        }

        @Test
        void theApiTokenInTheUrl_isRefused() {
            Response response = request("GET", "/?token=" + TOKEN, "127.0.0.1:" + port, null);

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers()).doesNotContain("Set-Cookie");
            assertThat(response.body()).contains("not accepted in a URL");
        }

        @Test
        void codesAreIssuedOnlyToAnAuthenticatedCaller() {
            assertThat(request("POST", RestApi.SIGN_IN_CODES, "127.0.0.1:" + port, null).status()).isEqualTo(401);
        }
    }

    @Nested
    class SlowAndVanishingClients {

        @Test
        void aClientThatAbortsMidBody_isOneDebugLine_neverAnErrorWithAStackTrace() throws Exception {
            // Every record of the API (its package at DEBUG) and every warning of the libraries, read while Jetty's
            // threads log.
            List<ILoggingEvent> records = new java.util.concurrent.CopyOnWriteArrayList<>();
            AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent event) {
                    records.add(event);
                }
            };
            LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
            capture.setContext(logging);
            capture.start();
            ch.qos.logback.classic.Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            ch.qos.logback.classic.Logger restApi = logging.getLogger(RestApi.class.getPackageName());
            Level before = restApi.getLevel();
            root.addAppender(capture);
            restApi.setLevel(Level.DEBUG);
            try {
                for (int i = 0; i < 5; i++) {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        socket.getOutputStream().write(("POST /api/v1/presets/python-dev/small/claims HTTP/1.1\r\n"
                                + "Host: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"owner\":")
                                .getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                        Thread.sleep(200); // the handler is now waiting for the rest of the body
                    }
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> records.stream()
                        .filter(r -> r.getFormattedMessage() != null && r.getFormattedMessage().contains("client aborted")).count() >= 5);
            } finally {
                root.detachAppender(capture);
                restApi.setLevel(before);
            }
            List<ILoggingEvent> aborts = records.stream()
                    .filter(r -> r.getFormattedMessage() != null && r.getFormattedMessage().contains("client aborted")).toList();
            assertThat(aborts).hasSize(5).allSatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(r.getThrowableProxy()).isNull();
            });
            assertThat(records).noneMatch(r -> r.getLevel().isGreaterOrEqual(Level.WARN));
            verifyNoInteractions(claim);
        }

        @Test
        void slowHeaders_areCutOff_atTheHeaderDeadline() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                boolean closed = false;
                // One header byte every 100 ms: each restarts Jetty's idle timeout, the header deadline is 0.6 s.
                for (int i = 0; i < 100 && !closed; i++) {
                    try {
                        out.write('X');
                        out.flush();
                        Thread.sleep(100);
                    } catch (IOException e) {
                        closed = true;
                    }
                }
                if (!closed) {
                    closed = socket.getInputStream().read() < 0;
                }
                assertThat(closed).as("the server closed the connection within 10 s").isTrue();
            }
        }

        @Test
        void anUnauthenticatedSlowBody_isAnsweredAtOnce_andDisconnected() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/v1/presets HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: "
                        + "application/yaml\r\nContent-Length: 100000\r\n\r\nt").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);

                assertThat(response).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
            }
            verifyNoInteractions(apply);
        }

        @Test
        void anAuthenticatedBodyThatStalls_is408_atTheBodyDeadline() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/v1/presets/python-dev/small/claims HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response;
                try {
                    response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no answer within 10 s", e);
                }
                Response parsed = parse(response);

                assertThat(parsed.status()).isEqualTo(408);
                assertThat(parsed.headers()).containsIgnoringCase("connection: close");
                assertThat(parsed.json().get("error").asText()).isEqualTo("request body not received within 800 ms");
            }
            verifyNoInteractions(claim);
        }

        @Test
        void aPresetsUploadThatStalls_is408_too() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /api/v1/presets HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/yaml\r\n"
                        + "Content-Length: 1000\r\n\r\ntemplates:").getBytes(StandardCharsets.US_ASCII));
                Response parsed = parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

                assertThat(parsed.status()).isEqualTo(408);
                assertThat(parsed.headers()).containsIgnoringCase("connection: close");
            }
            verifyNoInteractions(apply);
        }

        @Test
        void atTheConnectionCap_aNewConnectionWaits_untilAnotherCloses() throws Exception {
            RestApi capped = new RestApi(new HttpAddress("127.0.0.1", 0), new HttpLimits(Duration.ofSeconds(20),
                    Duration.ofSeconds(10), Duration.ofSeconds(10), 2, 2), List.of(),
                    new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release, history), TOKEN,
                    ReadinessCheck.ALWAYS, NO_METRICS, clock);
            capped.start();
            int cappedPort = capped.port();
            byte[] healthz = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + cappedPort + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (Socket first = new Socket("127.0.0.1", cappedPort); Socket second = new Socket("127.0.0.1", cappedPort)) {
                first.getOutputStream().write('G'); // both accepted and open
                second.getOutputStream().write('G');
                Thread.sleep(300);
                try (Socket third = new Socket("127.0.0.1", cappedPort)) { // the kernel queues it; Jetty does not accept
                    third.getOutputStream().write(healthz);
                    third.setSoTimeout(1_000);
                    InputStream in = third.getInputStream();
                    boolean waited = false;
                    try {
                        in.read(); // an answer or a close: not waiting
                    } catch (SocketTimeoutException e) {
                        waited = true;
                    }
                    assertThat(waited).as("no answer while two connections are open").isTrue();

                    first.close();
                    third.setSoTimeout(10_000);
                    String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertThat(response).as("answered once one closed").contains(" 200 ", "\"ok\"");
                }
            } finally {
                capped.stop();
            }
        }

        @Test
        void healthzIsServed_whileSlowClientsHoldConnections() throws Exception {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.getOutputStream().write(("POST /api/v1/presets HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + (i % 2 == 0 ? "\r\nContent-Length: 100000\r\n\r\nx" : "\r\nX-Slow: ")).getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(request("GET", "/healthz", "127.0.0.1:" + port, null).status()).isEqualTo(200);
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    /** A clock a test moves by hand. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
