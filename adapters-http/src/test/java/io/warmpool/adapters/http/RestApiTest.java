package io.warmpool.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.DryRun;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.Page;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.plan.BlockReason;
import io.warmpool.domain.plan.DeleteReason;
import io.warmpool.domain.plan.Expired;
import io.warmpool.domain.plan.ExpiryReason;
import io.warmpool.domain.plan.InFlight;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.Prebuild;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {

    static final String TOKEN = "t0ken-for-tests-7f3a9c";
    static final Instant NOW = Instant.parse("2026-03-02T10:15:30.250Z");
    static final PresetId SMALL_V3 = new PresetId("python-dev", "v3", "small");
    static final PresetId SMALL_V2 = new PresetId("python-dev", "v2", "small");
    static final PresetId LARGE = new PresetId("go-dev", "v1", "large");
    static final WorkspaceId WS1 = new WorkspaceId(UUID.fromString("00000000-0000-0000-0000-000000000001"));
    static final WorkspaceId WS2 = new WorkspaceId(UUID.fromString("00000000-0000-0000-0000-000000000002"));
    static final WorkspaceId WS3 = new WorkspaceId(UUID.fromString("00000000-0000-0000-0000-000000000003"));

    final InspectUseCase inspect = mock(InspectUseCase.class);
    final ApplyPresetsUseCase apply = mock(ApplyPresetsUseCase.class);
    final OperatePresetsUseCase operate = mock(OperatePresetsUseCase.class);
    final ClaimPrebuildUseCase claim = mock(ClaimPrebuildUseCase.class);
    final PauseReconciliationUseCase reconciliation = mock(PauseReconciliationUseCase.class);
    final ReleaseWorkspaceUseCase release = mock(ReleaseWorkspaceUseCase.class);
    final PresetHistoryUseCase history = mock(PresetHistoryUseCase.class);
    final AtomicReference<ReadinessCheck> readiness = new AtomicReference<>(ReadinessCheck.ALWAYS);
    /** A scrape as the metrics adapter writes it (with a label beyond ASCII): {@code /metrics} serves it byte for byte. */
    static final String SCRAPE = """
            # HELP warmpool_prebuilt_workspaces_desired Desired pool size (R1).
            # TYPE warmpool_prebuilt_workspaces_desired gauge
            warmpool_prebuilt_workspaces_desired{preset="small",template="python-dév"} 3.0
            """;
    final MetricsExposition metrics = new MetricsExposition() {
        @Override
        public String contentType() {
            return "text/plain; version=0.0.4; charset=utf-8";
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(SCRAPE.getBytes(StandardCharsets.UTF_8));
        }
    };
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    RestApi api;
    String base;

    @BeforeAll
    void startServer() {
        api = new RestApi(new HttpAddress("127.0.0.1", 0),
                new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release, history), TOKEN,
                new ReadinessCheck() {
                    @Override
                    public Result check() {
                        return readiness.get().check();
                    }

                    @Override
                    public Result live() {
                        return readiness.get().live();
                    }
                }, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
        api.start();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    void stopServer() {
        api.stop();
    }

    @BeforeEach
    void resetMocks() {
        reset(inspect, apply, operate, claim, reconciliation, release, history);
        readiness.set(ReadinessCheck.ALWAYS);
    }

    // ---- fixtures -------------------------------------------------------------------------------------------

    /**
     * python-dev@v3/small: active, one expired and one eligible prebuild, backing off after two failures;
     * python-dev@v2/small: the old version, draining; go-dev@v1/large: healthy, creating two.
     */
    static StatusReport status() {
        Instant until = NOW.plusSeconds(45);
        Prebuild old = new Prebuild(WS1, Instant.parse("2026-03-01T08:00:00Z"));
        Prebuild fresh = new Prebuild(WS2, Instant.parse("2026-03-02T09:00:00Z"));
        PresetState small = new PresetState(SMALL_V3, NOW, true, 3, List.of(old, fresh),
                List.of(new Expired(old, ExpiryReason.EXPIRED)), List.of(fresh), List.of(), new InFlight(1, 1, 0),
                new FailureState(2, NOW.minusSeconds(75), until, PresetStatus.HEALTHY));
        PresetPlan smallPlan = new PresetPlan(small, List.of(
                new PlanAction.Delete(WS1, old.createdAt(), DeleteReason.EXPIRED),
                new PlanAction.Blocked(BlockReason.BACKOFF, 1, 0, until)));
        Prebuild draining = new Prebuild(WS3, Instant.parse("2026-02-20T08:00:00Z"));
        PresetState oldSmall = new PresetState(SMALL_V2, NOW, false, 0, List.of(draining), List.of(), List.of(),
                List.of(), new InFlight(1, 1, 0), FailureState.initial());
        PresetPlan oldPlan = new PresetPlan(oldSmall, List.of(
                new PlanAction.Delete(WS3, draining.createdAt(), DeleteReason.INACTIVE), new PlanAction.CancelQueued(1)));
        PresetState large = new PresetState(LARGE, NOW, true, 2, List.of(), List.of(), List.of(), List.of(),
                InFlight.NONE, FailureState.initial());
        PresetPlan largePlan = new PresetPlan(large, List.of(new PlanAction.Create(2)));
        return new StatusReport(NOW, false, List.of(largePlan, oldPlan, smallPlan), 7,
                Map.of(new PresetId("broken", "v1", "x"), "snapshot row unreadable"));
    }

    static final PresetId GPU = new PresetId("ml-dev", "v1", "gpu");
    static final PresetId CPU = new PresetId("ml-dev", "v1", "cpu");

    /**
     * ml-dev@v1/gpu, autoscaled in Europe/Berlin (target 0.99, min 0, max 20): three hours of history with 7 and 6
     * claims in its two whole hours, but 60 in the last hour, and no build measured yet (T = 5 min): a = 5, N = 11.
     * ml-dev@v1/cpu, autoscaled with no history at all while a window of 3 holds: desired is the floor.
     * Both sized by the domain's own {@link Sizing} from a {@link DemandHistory}, as a pass sizes them.
     */
    static StatusReport autoscaled() {
        PrebuildPolicy gpuPolicy = new PrebuildPolicy(0, Duration.ZERO, new PrebuildSchedule(ZoneId.of("Europe/Berlin"),
                List.of())).withAutoscale(new Autoscale(0.99, 0, 20, Duration.ofDays(14)));
        TreeMap<Instant, Integer> hours = new TreeMap<>(Map.of(
                Instant.parse("2026-03-02T08:00:00Z"), 7, Instant.parse("2026-03-02T09:00:00Z"), 6));
        Sizing gpu = Sizing.of(gpuPolicy, new DemandHistory(NOW.minus(Duration.ofHours(3)), hours, 60, List.of()), NOW);
        PrebuildPolicy cpuPolicy = new PrebuildPolicy(0, Duration.ZERO, new PrebuildSchedule(ZoneOffset.UTC,
                List.of(new ScheduleWindow(CronWindow.parse("* * * * *"), 3))))
                .withAutoscale(new Autoscale(0.95, 1, 5, Duration.ofDays(7)));
        Sizing cpu = Sizing.of(cpuPolicy, DemandHistory.NONE, NOW);
        return new StatusReport(NOW, false, List.of(sized(CPU, cpu), sized(GPU, gpu)), 0, Map.of());
    }

    static PresetPlan sized(PresetId id, Sizing sizing) {
        PresetState state = new PresetState(id, NOW, true, sizing.desired(), List.of(), List.of(), List.of(), List.of(),
                InFlight.NONE, FailureState.initial(), List.of(), null, null, sizing);
        return new PresetPlan(state, sizing.desired() == 0 ? List.of() : List.of(new PlanAction.Create(sizing.desired())));
    }

    static Workspace workspaceView() {
        return new Workspace(WS2, "alice-small", "alice", true, SMALL_V3, Workspace.Phase.RUNNING,
                Instant.parse("2026-03-02T09:00:00Z"), NOW, Map.of("url", "https://ws.example/alice"));
    }

    /** The dry run of {@code report}: its presets' actions. */
    static DryRun dryRun(StatusReport report) {
        return new DryRun(report.at(), report.paused(), report.presets().stream()
                .map(p -> new DryRun.PresetActions(p.id(), p.actions(), p.state().sizing())).toList(), report.failures());
    }

    // ---- HTTP helpers ---------------------------------------------------------------------------------------

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    HttpResponse<String> authed(String method, String path, String body) {
        return body == null ? send(method, path, null, "Authorization", "Bearer " + TOKEN)
                : send(method, path, body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
    }

    HttpResponse<String> get(String path) {
        return authed("GET", path, null);
    }

    JsonNode body(HttpResponse<String> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /**
     * Asserts an error response: an RFC 9457 problem ({@code application/problem+json}) with the status, the type of
     * that status, the fixed title of the type, the message as {@code detail} and as the old {@code error}, and nothing
     * internal leaked.
     */
    JsonNode assertError(HttpResponse<String> response, int status, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = assertProblem(response, status);
        assertThat(body.get("detail").asText()).contains(messagePart);
        return body;
    }

    /** The problem types each status may carry (API.md "Errors"). */
    static final Map<Integer, List<String>> TYPES = Map.ofEntries(
            Map.entry(400, List.of("bad-request", "invalid-presets")), Map.entry(401, List.of("unauthorized")),
            Map.entry(403, List.of("forbidden")), Map.entry(404, List.of("not-found")),
            Map.entry(405, List.of("method-not-allowed")), Map.entry(408, List.of("request-timeout")),
            Map.entry(409, List.of("conflict", "no-prebuild")), Map.entry(413, List.of("payload-too-large")),
            Map.entry(415, List.of("unsupported-media-type")), Map.entry(421, List.of("misdirected-request")),
            Map.entry(425, List.of("too-early")), Map.entry(429, List.of("too-many-requests")),
            Map.entry(431, List.of("request-header-fields-too-large")), Map.entry(500, List.of("internal")),
            Map.entry(502, List.of("claim-failed")), Map.entry(503, List.of("unavailable", "no-prebuild")));

    /** Asserts the RFC 9457 shape of an error response of {@code status}; its body. */
    static JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertNoInternals(response.body());
        JsonNode body;
        try {
            body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
        assertThat(body.get("status").asInt()).as(response.body()).isEqualTo(status);
        assertThat(TYPES.get(status)).as("problem types of %s", status).isNotNull();
        assertThat(TYPES.get(status).stream().map(slug -> "urn:warmpool:problem:" + slug))
                .as(response.body()).contains(body.get("type").asText());
        assertThat(body.get("title").asText()).as(response.body()).isNotBlank();
        assertThat(body.get("detail").asText()).as(response.body()).isNotBlank();
        assertThat(body.get("error").asText()).as("error is detail, kept one release").isEqualTo(body.get("detail").asText());
        return body;
    }

    static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception", "at io.", "at java.", "\tat ", "jetty", "javalin");
    }

    // ---- authentication -------------------------------------------------------------------------------------

    static Stream<Arguments> apiRoutes() {
        String id = WS1.text();
        return Stream.of(
                Arguments.of("GET", "/api/v1/status"),
                Arguments.of("GET", "/api/v1/plan"),
                Arguments.of("GET", "/api/v1/presets"),
                Arguments.of("POST", "/api/v1/presets"),
                Arguments.of("GET", "/api/v1/presets/python-dev/small"),
                Arguments.of("POST", "/api/v1/presets/python-dev/small/resume"),
                Arguments.of("POST", "/api/v1/presets/python-dev/small/invalidate"),
                Arguments.of("POST", "/api/v1/presets/python-dev/small/claims"),
                Arguments.of("GET", "/api/v1/reconciliation"),
                Arguments.of("POST", "/api/v1/reconciliation/pause"),
                Arguments.of("POST", "/api/v1/reconciliation/resume"),
                Arguments.of("GET", "/api/v1/workspaces"),
                Arguments.of("GET", "/api/v1/workspaces/" + id),
                Arguments.of("GET", "/api/v1/workspaces/" + id + "/builds"),
                Arguments.of("GET", "/api/v1/presets/python-dev/small/activity"),
                Arguments.of("GET", "/api/v1/presets/python-dev/small/builds"),
                Arguments.of("DELETE", "/api/v1/workspaces/" + id),
                Arguments.of("POST", RestApi.SIGN_IN_CODES),
                Arguments.of("GET", "/api/v1/version"),
                Arguments.of("GET", "/api/v1/openapi.json"),
                Arguments.of("GET", "/api/v1/no-such-route"));
    }

    @Nested
    class Authentication {

        @ParameterizedTest(name = "{0} {1}")
        @MethodSource("io.warmpool.adapters.http.RestApiTest#apiRoutes")
        void withoutAToken_everyApiRouteIs401_andNoUseCaseRuns(String method, String path) {
            HttpResponse<String> response = send(method, path, "{\"owner\":\"alice\"}");

            assertError(response, 401, "missing bearer token");
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    h -> assertThat(h).startsWith("Bearer"));
            verifyNoInteractions(inspect, apply, operate, claim, reconciliation, release, history);
        }

        @ParameterizedTest(name = "{0} {1}")
        @MethodSource("io.warmpool.adapters.http.RestApiTest#apiRoutes")
        void withAWrongToken_everyApiRouteIs401_andNoUseCaseRuns(String method, String path) {
            HttpResponse<String> response = send(method, path, "{}", "Authorization", "Bearer not-the-token");

            assertError(response, 401, "invalid bearer token");
            verifyNoInteractions(inspect, apply, operate, claim, reconciliation, release, history);
        }

        @Test
        void theRoutesCheckedHere_areExactlyTheApiRoutesJavalinServes() {
            // Path parameters as Javalin writes them; the list above uses sample values.
            // The build callback authenticates by signature (BuildCallbackRoutesTest), the agent ready route by an agent
            // token (ReadinessEndToEndTest), not by the API token.
            List<String> registered = api.routes().stream().filter(r -> r.path().startsWith("/api/"))
                    .filter(r -> !r.path().equals(io.warmpool.adapters.http.builds.BuildCallbackRoutes.PATH))
                    .filter(r -> !r.path().equals("/api/v1/workspaces/{id}/ready"))
                    .map(r -> r.method() + " " + r.path()).sorted().toList();
            List<String> checked = apiRoutes().map(a -> a.get()[0] + " " + ((String) a.get()[1])
                            .replace("python-dev/small", "{template}/{preset}").replace(WS1.text(), "{id}"))
                    .filter(r -> !r.contains("no-such-route")).sorted().toList();

            assertThat(registered).isNotEmpty().containsExactlyElementsOf(checked);
            assertThat(api.routes()).extracting(RestApi.Route::path).contains("/healthz", "/readyz", "/metrics");
        }

        @ParameterizedTest(name = "Authorization: {0}")
        @ValueSource(strings = {
                "Bearer " + TOKEN + "x",                       // the token plus one character
                "Bearer t0ken-for-tests-7f3a9d",               // same length, last character differs
                "Bearer ",                                     // empty token
                "Bearer " + "x"})                              // much shorter
        void aTokenThatIsNotExactlyEqual_isRejected(String header) {
            assertError(send("GET", "/api/v1/reconciliation", null, "Authorization", header), 401, "bearer token");
            verifyNoInteractions(reconciliation);
        }

        @Test
        void aRejectedRequestWithABody_hasItsBodyRead_soAKeptAliveConnectionStaysUsable() {
            when(reconciliation.isPaused()).thenReturn(false);
            for (int i = 0; i < 100; i++) {
                assertError(send("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"alice\"}",
                        "Authorization", "Bearer not-the-token"), 401, "invalid bearer token");
                // The same pooled client right after: answered, not written into a silently closed socket.
                assertThat(send("GET", "/api/v1/reconciliation", null, "Authorization", "Bearer " + TOKEN)
                        .statusCode()).as("request %d", i).isEqualTo(200);
            }
            verifyNoInteractions(claim);
        }

        @Test
        void aBadPresetNameInThePath_withALargeBody_isAnswered400_everyTime() {
            // Rejected by the handler before it reads the body (not by Javalin): the same reading applies.
            String body = "{\"owner\":\"" + "a".repeat(30_000) + "\"}";
            for (int i = 0; i < 40; i++) {
                assertThat(authed("POST", "/api/v1/presets/Bad%20Name/small/claims", body).statusCode())
                        .as("request %d", i).isEqualTo(400);
            }
            verifyNoInteractions(claim);
        }

        @Test
        void aRejectedLargeBody_isReadAndDropped_soTheClientGetsThe401InsteadOfABrokenPipe() {
            // Without the body being read, Jetty closes the socket while the client still writes: "broken pipe".
            String large = "{\"owner\":\"" + "a".repeat(512 * 1024) + "\"}";
            for (int i = 0; i < 40; i++) {
                assertError(send("POST", "/api/v1/presets/python-dev/small/claims", large,
                        "Authorization", "Bearer not-the-token"), 401, "invalid bearer token");
            }
            verifyNoInteractions(claim);
        }

        @Test
        void anotherScheme_isTreatedAsMissing() {
            assertError(send("GET", "/api/v1/reconciliation", null, "Authorization", "Basic " + TOKEN), 401,
                    "missing bearer token");
        }

        @Test
        void theSchemeIsCaseInsensitive_andTheRightTokenGetsThrough() {
            when(reconciliation.isPaused()).thenReturn(false);

            HttpResponse<String> response = send("GET", "/api/v1/reconciliation", null, "Authorization", "bearer " + TOKEN);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        }

        @Test
        void operationalEndpoints_needNoToken() {
            assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(200);
            assertThat(send("GET", "/metrics", null).statusCode()).isEqualTo(200);
        }

        @Test
        void aBlankToken_cannotBeConfigured() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RestApi(HttpAddress.DEFAULT,
                    new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release), "  ",
                    ReadinessCheck.ALWAYS, metrics, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- operational endpoints ------------------------------------------------------------------------------

    @Nested
    class Operational {

        @Test
        void healthz_saysOk() throws Exception {
            HttpResponse<String> response = send("GET", "/healthz", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree("{\"status\":\"ok\"}"));
        }

        @Test
        void readyz_isOkWhenTheCheckSaysReady() {
            readiness.set(() -> ReadinessCheck.Result.ready("database reachable, migrations applied"));

            HttpResponse<String> response = send("GET", "/readyz", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body(response).get("ready").asBoolean()).isTrue();
            assertThat(body(response).get("detail").asText()).isEqualTo("database reachable, migrations applied");
        }

        @Test
        void readyz_is503WhenNotReady() {
            readiness.set(() -> ReadinessCheck.Result.notReady("database unreachable"));

            HttpResponse<String> response = send("GET", "/readyz", null);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(body(response).get("ready").asBoolean()).isFalse();
            assertThat(body(response).get("detail").asText()).isEqualTo("database unreachable");
        }

        @Test
        void healthz_is503WhenNotLive_andStays200WhenOnlyNotReady() {
            readiness.set(new ReadinessCheck() {
                @Override
                public Result check() {
                    return Result.notReady("embedded PostgreSQL exited (code 137), restarting");
                }
            });
            assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(503);

            readiness.set(new ReadinessCheck() {
                @Override
                public Result check() {
                    return Result.notReady("embedded PostgreSQL down for 61 s");
                }

                @Override
                public Result live() {
                    return Result.notReady("embedded PostgreSQL down for 61 s, restart attempt 7 failed");
                }
            });
            HttpResponse<String> response = send("GET", "/healthz", null);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(body(response).get("detail").asText()).contains("restart attempt 7 failed");
        }

        @Test
        void healthz_staysLive_whenTheLivenessCheckThrows() {
            readiness.set(new ReadinessCheck() {
                @Override
                public Result check() {
                    return Result.ready("ok");
                }

                @Override
                public Result live() {
                    throw new IllegalStateException("boom");
                }
            });
            assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
        }

        @Test
        void readyz_is503WithAGenericDetail_whenTheCheckThrows() {
            readiness.set(() -> {
                throw new IllegalStateException("jdbc:postgresql://db/warmpool?password=hunter2 refused");
            });

            HttpResponse<String> response = send("GET", "/readyz", null);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).doesNotContain("hunter2", "Exception");
            assertThat(body(response).get("ready").asBoolean()).isFalse();
        }

        @Test
        void metrics_servesTheScrapeBytesVerbatim_withItsContentType() throws Exception {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body()).isEqualTo(SCRAPE.getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---- presets, status and plan ---------------------------------------------------------------------------

    @Nested
    class StatusAndPresets {

        @Test
        void status_hasEveryPresetWithItsStateFailureStateAndPlan() throws Exception {
            when(inspect.status()).thenReturn(status());

            HttpResponse<String> response = get("/api/v1/status");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = body(response);
            assertThat(body.get("at").asText()).isEqualTo("2026-03-02T10:15:30.250Z");
            assertThat(body.get("paused").asBoolean()).isFalse();
            assertThat(body.get("queuedCreates").asInt()).isEqualTo(7);
            assertThat(body.get("failures")).isEqualTo(json.readTree("{\"broken@v1/x\":\"snapshot row unreadable\"}"));
            assertThat(body.get("presets")).hasSize(3);
            JsonNode small = body.get("presets").get(2);
            assertThat(small).isEqualTo(json.readTree("""
                    {"preset":"python-dev/small","template":"python-dev","version":"v3","name":"small",
                     "active":true,"desired":3,"running":2,"eligible":1,"expired":1,"starting":1,"queued":1,
                     "deleting":0,"failed":0,"extraneous":0,"status":"healthy","consecutiveFailures":2,
                     "lastFailureAt":"2026-03-02T10:14:15.250Z","retryNotBefore":"2026-03-02T10:16:15.250Z",
                     "backoffUntil":"2026-03-02T10:16:15.250Z",
                     "blocked":{"reason":"backoff","needed":1,"allowed":0,"until":"2026-03-02T10:16:15.250Z"},
                     "actions":[
                       {"type":"delete","workspace":"00000000-0000-0000-0000-000000000001",
                        "createdAt":"2026-03-01T08:00:00Z","reason":"expired"},
                       {"type":"blocked","reason":"backoff","needed":1,"allowed":0,"until":"2026-03-02T10:16:15.250Z"}],
                     "provisioned":0,"unhealthy":0,"readiness":null,"health":null,"claiming":0,"autoscale":null}
                    """));
        }

        @Test
        void status_ofAHealthyPreset_hasNullsWhereThereIsNothing() throws Exception {
            when(inspect.status()).thenReturn(status());

            JsonNode large = body(get("/api/v1/status")).get("presets").get(0);

            assertThat(large.get("lastFailureAt").isNull()).isTrue();
            assertThat(large.get("retryNotBefore").isNull()).isTrue();
            assertThat(large.get("backoffUntil").isNull()).isTrue();
            assertThat(large.get("blocked").isNull()).isTrue();
            assertThat(large.get("actions")).isEqualTo(json.readTree("[{\"type\":\"create\",\"count\":2}]"));
        }

        @Test
        void presets_listsEveryPresetView() {
            when(inspect.status()).thenReturn(status());

            JsonNode body = body(get("/api/v1/presets"));

            assertThat(body.isArray()).isTrue();
            assertThat(body).extracting(n -> n.get("preset").asText() + "@" + n.get("version").asText())
                    .containsExactly("go-dev/large@v1", "python-dev/small@v2", "python-dev/small@v3");
            assertThat(body.get(1).get("actions")).isEqualTo(body.get(1).get("actions"));
            assertThat(body.get(1).get("actions").get(1).toString())
                    .isEqualTo("{\"type\":\"cancel_queued\",\"count\":1,\"reason\":\"inactive\"}");
        }

        @Test
        void onePreset_isWhatTheUseCaseResolved_inTheListsShape_withItsAppliedDefinition() throws Exception {
            when(inspect.status()).thenReturn(status());
            when(inspect.preset(PresetRef.parse("python-dev/small"))).thenReturn(status().presets().get(2));

            when(inspect.definition(SMALL_V3)).thenReturn(Optional.of(new io.warmpool.domain.definition.PresetDefinition(
                    "small", Map.of("cpu", "2"), new io.warmpool.domain.PrebuildPolicy(2, Duration.ofMinutes(30),
                    new io.warmpool.domain.schedule.PrebuildSchedule(java.time.ZoneId.of("Europe/Berlin"), List.of(
                            new io.warmpool.domain.schedule.ScheduleWindow(
                                    io.warmpool.domain.schedule.CronWindow.parse("* 8-18 * * 1-5"), 6)))))));

            com.fasterxml.jackson.databind.node.ObjectNode body =
                    (com.fasterxml.jackson.databind.node.ObjectNode) body(get("/api/v1/presets/python-dev/small"));

            assertThat(body.get("version").asText()).isEqualTo("v3");
            assertThat(body.get("active").asBoolean()).isTrue();
            assertThat(body.remove("definition")).isEqualTo(json.readTree("""
                    {"parameters": {"cpu": "2"},
                     "prebuilds": {"instances": 2, "ttl": "30m",
                                   "scheduling": {"timezone": "Europe/Berlin",
                                                  "schedule": [{"cron": "* 8-18 * * 1-5", "instances": 6}]}}}
                    """));
            assertThat(body).as("the list's shape and the definition").isEqualTo(body(get("/api/v1/presets")).get(2));
        }

        @Test
        void onePreset_withASingleInactiveVersion_isThatVersion() {
            when(inspect.preset(PresetRef.parse("python-dev/small"))).thenReturn(status().presets().get(1));

            JsonNode body = body(get("/api/v1/presets/python-dev/small"));

            assertThat(body.get("version").asText()).isEqualTo("v2");
            assertThat(body.get("active").asBoolean()).isFalse();
        }

        @Test
        void onePreset_notFound_is404WithTheUseCasesWords() {
            // (which version is chosen, and when none is: InspectServiceTest)
            when(inspect.preset(PresetRef.parse("python-dev/huge")))
                    .thenThrow(new NotFoundException("preset python-dev/huge does not exist"));
            when(inspect.preset(PresetRef.parse("python-dev/small"))).thenThrow(new NotFoundException(
                    "preset python-dev/small has no active version (versions [v2, v3]); GET /api/v1/presets lists each of them"));

            assertError(get("/api/v1/presets/python-dev/huge"), 404, "preset python-dev/huge does not exist");
            assertError(get("/api/v1/presets/python-dev/small"), 404, "has no active version (versions [v2, v3])");
        }

        @Test
        void onePreset_withABadName_is400() {
            assertError(get("/api/v1/presets/Python_Dev/small"), 400, "template 'Python_Dev' must match");
            verifyNoInteractions(inspect);
        }

        @Test
        void plan_listsEachPresetsActions() throws Exception {
            when(inspect.plan()).thenReturn(dryRun(status()));

            JsonNode body = body(get("/api/v1/plan"));

            assertThat(body.get("at").asText()).isEqualTo("2026-03-02T10:15:30.250Z");
            assertThat(body.get("paused").asBoolean()).isFalse();
            assertThat(body.get("presets").get(0)).isEqualTo(json.readTree(
                    "{\"preset\":\"go-dev/large\",\"version\":\"v1\",\"actions\":[{\"type\":\"create\",\"count\":2}],"
                            + "\"autoscale\":null}"));
            assertThat(body.get("presets").get(1).get("actions").get(0)).isEqualTo(json.readTree(
                    "{\"type\":\"delete\",\"workspace\":\"00000000-0000-0000-0000-000000000003\","
                            + "\"createdAt\":\"2026-02-20T08:00:00Z\",\"reason\":\"inactive\"}"));
            assertThat(body.get("failures").get("broken@v1/x").asText()).isEqualTo("snapshot row unreadable");
        }
    }

    @Nested
    class Autoscaled {

        @Test
        void status_ofAnAutoscaledPreset_explainsItsDesiredCount() throws Exception {
            when(inspect.status()).thenReturn(autoscaled());
            Sizing sizing = autoscaled().presets().get(1).state().sizing();

            JsonNode gpu = body(get("/api/v1/status")).get("presets").get(1);

            assertThat(gpu.get("desired").asInt()).isEqualTo(11);
            // now + T = 10:20:30Z = 11:20 in Berlin: Monday's 11:00 hour
            assertThat(gpu.get("autoscale")).isEqualTo(json.readTree("""
                    {"targetHitRate":0.99,"min":0,"max":20,"lookback":"14d","forecastClaimsPerHour":60.0,
                     "forecastFor":"2026-03-02T10:20:30.250Z","weekday":"monday","hour":11,"timezone":"Europe/Berlin",
                     "hourOfWeek":"Mon 11:00","source":"last_hour","historyClaims":13,"historyHours":2,
                     "historyAverage":6.5,"claimsLastHour":60,"buildTime":"5m","buildSeconds":300.0,"buildSamples":0,
                     "buildTimeDefault":true,"offeredLoad":5.0,"needed":11,"cappedByMax":false,"windowFloor":null,
                     "desired":11,"expectedHitRate":%s,"explanation":%s}
                    """.formatted(sizing.expectedHitRate(), json.writeValueAsString(sizing.explain()))));
            assertThat(gpu.get("autoscale").get("expectedHitRate").asDouble()).isBetween(0.99, 0.995);
            assertThat(gpu.get("autoscale").get("explanation").asText())
                    .startsWith("60.00 claims/h forecast for Mon 11:00 Europe/Berlin (last 60 minutes)");
        }

        @Test
        void status_ofAnAutoscaledPresetWithoutHistory_showsTheWindowFloor() {
            when(inspect.status()).thenReturn(autoscaled());

            JsonNode cpu = body(get("/api/v1/status")).get("presets").get(0).get("autoscale");

            assertThat(cpu.get("source").asText()).isEqualTo("no_history");
            assertThat(cpu.get("forecastClaimsPerHour").asDouble()).isZero();
            assertThat(cpu.get("historyHours").asInt()).isZero();
            assertThat(cpu.get("timezone").asText()).isEqualTo("UTC"); // an IANA name, as the activity route sends it
            assertThat(cpu.get("needed").asInt()).isZero();
            assertThat(cpu.get("windowFloor").asInt()).isEqualTo(3);
            assertThat(cpu.get("desired").asInt()).isEqualTo(3);
            assertThat(cpu.get("expectedHitRate").asDouble()).isEqualTo(1.0);
        }

        @Test
        void plan_ofAnAutoscaledPreset_carriesTheSameExplanation_andNullForTheOthers() {
            when(inspect.status()).thenReturn(autoscaled());
            when(inspect.plan()).thenReturn(dryRun(autoscaled()));

            JsonNode presets = body(get("/api/v1/plan")).get("presets");

            assertThat(presets.get(1).get("preset").asText()).isEqualTo("ml-dev/gpu");
            assertThat(presets.get(1).get("actions").toString()).isEqualTo("[{\"type\":\"create\",\"count\":11}]");
            assertThat(presets.get(1).get("autoscale"))
                    .isEqualTo(body(get("/api/v1/status")).get("presets").get(1).get("autoscale"));
            when(inspect.plan()).thenReturn(dryRun(status()));
            assertThat(body(get("/api/v1/plan")).get("presets")).allSatisfy(p -> assertThat(p.get("autoscale").isNull())
                    .as(p.toString()).isTrue());
        }
    }

    // ---- applying presets -----------------------------------------------------------------------------------

    @Nested
    class ApplyingPresets {

        @Test
        void aValidFile_isAppliedWithItsSourceAndLines_andTheCountsAreReturned() throws Exception {
            when(apply.apply(any())).thenReturn(new ApplyPresetsUseCase.Applied(1, 1, 1, 0));

            HttpResponse<String> response = authed("POST", "/api/v1/presets?source=examples/presets.yaml",
                    io.warmpool.adapters.presets.PresetsYamlTest.SPEC_EXAMPLE);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree(
                    "{\"templates\":1,\"versionsCreated\":1,\"presetsCreated\":1,\"presetsUpdated\":0}"));
            ArgumentCaptor<PresetsInput> input = ArgumentCaptor.forClass(PresetsInput.class);
            verify(apply).apply(input.capture());
            assertThat(input.getValue().templates().get(0).presets().get(0).source()).isEqualTo("examples/presets.yaml:6");
            assertThat(input.getValue().templates().get(0).presets().get(0).parameters()).containsEntry("cpu", "2");
        }

        @Test
        void aDryRun_answersTheChangesAndTheCounts_andAppliesNothing() throws Exception {
            when(apply.preview(any())).thenReturn(new ApplyPresetsUseCase.Preview(new ApplyPresetsUseCase.Applied(1, 1, 1, 0),
                    List.of(new ApplyPresetsUseCase.Change("change", "python-dev", "version", "v2", "v3"),
                            new ApplyPresetsUseCase.Change("add", "python-dev/small", null, null, null))));

            HttpResponse<String> response = authed("POST", "/api/v1/presets?dryRun=true&source=examples/presets.yaml",
                    io.warmpool.adapters.presets.PresetsYamlTest.SPEC_EXAMPLE);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree("""
                    {"dryRun": true,
                     "changes": [{"action": "change", "target": "python-dev", "field": "version", "from": "v2", "to": "v3"},
                                 {"action": "add", "target": "python-dev/small"}],
                     "templates": 1, "versionsCreated": 1, "presetsCreated": 1, "presetsUpdated": 0}
                    """));
            verify(apply, never()).apply(any());
            assertError(authed("POST", "/api/v1/presets?dryRun=1", io.warmpool.adapters.presets.PresetsYamlTest.SPEC_EXAMPLE),
                    400, "dryRun must be true or false");
            when(apply.apply(any())).thenReturn(new ApplyPresetsUseCase.Applied(1, 1, 1, 0));
            assertThat(authed("POST", "/api/v1/presets?dryRun=false", io.warmpool.adapters.presets.PresetsYamlTest.SPEC_EXAMPLE)
                    .statusCode()).isEqualTo(200);
            verify(apply).apply(any());
        }

        @Test
        void anInvalidFile_inADryRun_isTheSameInvalidPresetsProblem() {
            when(apply.preview(any())).thenThrow(new InvalidDefinitionException(List.of(
                    new io.warmpool.domain.definition.ValidationError("p.yaml:3", "template t, preset p, prebuilds.instances",
                            "must be a whole number"))));

            JsonNode problem = assertError(authed("POST", "/api/v1/presets?dryRun=true", "templates: []"), 400, "invalid presets");

            assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:invalid-presets");
            assertThat(problem.get("title").asText()).isEqualTo("Invalid presets");
            assertThat(problem.get("errors")).hasSize(1);
            assertThat(problem.get("errors").get(0).get("source").asText()).isEqualTo("p.yaml:3");
        }

        @Test
        void withoutASource_placesAreNamedRequest() {
            when(apply.apply(any())).thenReturn(new ApplyPresetsUseCase.Applied(1, 0, 0, 1));

            authed("POST", "/api/v1/presets", "{\"templates\": [{\"name\": \"t\", \"version\": \"v1\"}]}");

            ArgumentCaptor<PresetsInput> input = ArgumentCaptor.forClass(PresetsInput.class);
            verify(apply).apply(input.capture());
            assertThat(input.getValue().templates().get(0).source()).isEqualTo("request:1");
        }

        @Test
        void aWrongShape_is400WithTheLine_andNothingIsApplied() {
            HttpResponse<String> response = authed("POST", "/api/v1/presets?source=p.yaml", """
                    templates:
                      - name: t
                        version: v1
                        presets:
                          - name: p
                            prebuilds:
                              instances: lots
                    """);

            JsonNode body = assertError(response, 400, "invalid presets");
            assertThat(body.get("errors")).hasSize(1);
            assertThat(body.get("errors").get(0).get("source").asText()).isEqualTo("p.yaml:7");
            assertThat(body.get("errors").get(0).get("field").asText()).isEqualTo("template t, preset p, prebuilds.instances");
            assertThat(body.get("errors").get(0).get("message").asText()).contains("whole number");
            verifyNoInteractions(apply);
        }

        @Test
        void aYamlSyntaxError_is400WithTheLine() {
            JsonNode body = assertError(authed("POST", "/api/v1/presets?source=p.yaml", "templates:\n  - name: [\n"),
                    400, "invalid presets");

            assertThat(body.get("errors").get(0).get("source").asText()).isEqualTo("p.yaml:3");
            assertThat(body.get("errors").get(0).get("field").asText()).isEqualTo("yaml");
            verifyNoInteractions(apply);
        }

        @Test
        void errorsFoundByTheValidator_are400WithEveryError() {
            when(apply.apply(any())).thenThrow(new InvalidDefinitionException(List.of(
                    new ValidationError("p.yaml:2", "template T, name", "'T' must match [a-z0-9][a-z0-9-]*"),
                    new ValidationError("p.yaml:9", "template T, preset p, window 1 (* 8 * * *)", "overlaps window 2"))));

            JsonNode body = assertError(authed("POST", "/api/v1/presets?source=p.yaml",
                    "templates: [{name: T, version: v1}]"), 400, "invalid presets");

            assertThat(body.get("errors")).hasSize(2);
            assertThat(body.get("errors").get(1).get("source").asText()).isEqualTo("p.yaml:9");
            assertThat(body.get("errors").get(1).get("message").asText()).isEqualTo("overlaps window 2");
        }

        @Test
        void aBodyThatIsNotUtf8_is400() {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/presets"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28}))
                    .build();

            JsonNode body = assertError(sendRaw(request), 400, "the request body is not a text file (invalid UTF-8 at byte 4)");
            assertThat(body.get("errors").get(0).get("source").asText()).isEqualTo("request");
            verifyNoInteractions(apply);
        }

        @Test
        void aBodyWithANulByte_is400NamingTheSourceAndTheByte() {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/presets?source=p.yaml"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'a', ':', ' ', 0, 'b'}))
                    .build();

            JsonNode body = assertError(sendRaw(request), 400, "p.yaml is not a text file (a NUL byte at byte 4)");
            assertThat(body.get("errors").get(0).get("source").asText()).isEqualTo("p.yaml");
            assertThat(body.get("errors").get(0).get("field").asText()).isEqualTo("file");
            verifyNoInteractions(apply);
        }

        @Test
        void anUploadOverSixteenMebibytes_is413NamingTheSource_beforeReadingIt() {
            String big = "templates: []\n#" + "x".repeat((int) io.warmpool.adapters.presets.TextInput.MAX_PRESETS_BYTES);

            // Sent as curl sends a large body (Expect: 100-continue), so the early 413 always reaches the client.
            JsonNode body = assertError(ExpectContinue.send(URI.create(base), "POST", "/api/v1/presets?source=big.yaml",
                    big.getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + TOKEN, "Content-Type", "application/yaml"), 413,
                    "big.yaml is larger than the limit of 16 MiB (16777216 bytes)");
            assertThat(body.get("errors").get(0).get("source").asText()).isEqualTo("big.yaml");
            verifyNoInteractions(apply);
        }

        @Test
        void anUploadOverSixteenMebibytesWithoutALength_is413_afterReadingNoMoreThanTheLimit() {
            byte[] big = ("templates: []\n#" + "x".repeat((int) io.warmpool.adapters.presets.TextInput.MAX_PRESETS_BYTES)).getBytes(StandardCharsets.US_ASCII);
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/presets?source=big.yaml"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/yaml")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                    .build();

            assertError(sendRaw(request), 413, "big.yaml is larger than the limit of 16 MiB");
            verifyNoInteractions(apply);
        }

        @Test
        void anUploadLargerThanOtherRoutesAccept_isStillAPresetsFile() {
            when(apply.apply(any())).thenReturn(new ApplyPresetsUseCase.Applied(0, 0, 0, 0));
            String body = "templates: []\n#" + "x".repeat(3 * (int) RestApi.MAX_BODY_BYTES);

            assertThat(authed("POST", "/api/v1/presets", body).statusCode()).isEqualTo(200);
        }

        @Test
        void aDeeplyNestedUpload_is400_not500() {
            JsonNode body = assertError(authed("POST", "/api/v1/presets", "[".repeat(500_000)), 400, "invalid presets");

            assertThat(body.get("errors").get(0).get("message").asText()).contains("nested too deeply");
            verifyNoInteractions(apply);
        }

        @Test
        void aSourceWithControlCharacters_is400() {
            assertError(authed("POST", "/api/v1/presets?source=a%0Ab", "templates: []"), 400, "source must be");
            verifyNoInteractions(apply);
        }
    }

    HttpResponse<String> sendRaw(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- preset operations ----------------------------------------------------------------------------------

    @Nested
    class PresetOperations {

        @Test
        void resume_reportsTheStatusChange_andKeepsTheCount() throws Exception {
            FailureState limited = new FailureState(3, NOW.minusSeconds(60), NOW.plusSeconds(120), PresetStatus.HARD_LIMITED);
            FailureState resumed = new FailureState(3, NOW.minusSeconds(60), null, PresetStatus.HEALTHY);
            when(operate.resume(new PresetRef("python-dev", "small"))).thenReturn(new FailureTransition(limited, resumed));

            HttpResponse<String> response = authed("POST", "/api/v1/presets/python-dev/small/resume", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree(
                    "{\"preset\":\"python-dev/small\",\"from\":\"hard_limited\",\"to\":\"healthy\",\"consecutiveFailures\":3}"));
        }

        @Test
        void resume_ofAnUnknownPreset_is404() {
            when(operate.resume(any())).thenThrow(new NotFoundException("preset python-dev/nope does not exist"));

            assertError(authed("POST", "/api/v1/presets/python-dev/nope/resume", null), 404, "does not exist");
        }

        @Test
        void invalidate_reportsThePresetAndWhenItTookEffect() throws Exception {
            when(operate.invalidate(new PresetRef("python-dev", "small"))).thenReturn(SMALL_V3);

            HttpResponse<String> response = authed("POST", "/api/v1/presets/python-dev/small/invalidate", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree(
                    "{\"preset\":\"python-dev/small\",\"version\":\"v3\",\"invalidatedAt\":\"2026-03-02T10:15:30.250Z\"}"));
        }
    }

    // ---- claims ---------------------------------------------------------------------------------------------

    @Nested
    class Claims {

        /** The use case's answer, as a claim that did not wait answers it: completed before it returns. */
        java.util.concurrent.CompletableFuture<ClaimPrebuildUseCase.Attempt> done(ClaimPrebuildUseCase.Attempt attempt) {
            return java.util.concurrent.CompletableFuture.completedFuture(attempt);
        }

        @Test
        void parameters_reachTheCommand() {
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Missed(SMALL_V3)));

            authed("POST", "/api/v1/presets/python-dev/small/claims",
                    "{\"owner\":\"bob\",\"parameters\":{\"dotfiles\":\"https://d\",\"shell\":\"zsh\"}}");

            verify(claim).claimWaiting(new ClaimCommand(new PresetRef("python-dev", "small"), "bob", Optional.empty())
                    .withParameters(Map.of("dotfiles", "https://d", "shell", "zsh")));
        }

        @Test
        void badParameters_are400NamingTheParameter_andNothingIsClaimed() {
            assertError(authed("POST", "/api/v1/presets/python-dev/small/claims",
                    "{\"owner\":\"bob\",\"parameters\":{\"n\":3}}"), 400, "parameters.n must be text");
            assertError(authed("POST", "/api/v1/presets/python-dev/small/claims",
                    "{\"owner\":\"bob\",\"parameters\":\"x=y\"}"), 400, "parameters must be an object");
            assertError(authed("POST", "/api/v1/presets/python-dev/small/claims",
                    "{\"owner\":\"bob\",\"parameters\":{\"-x\":\"y\"}}"), 400, "'-x' is not valid");
            verifyNoInteractions(claim);
        }

        @Test
        void aFailedHandoff_is502NamingTheFailure() {
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.HandoffFailed(SMALL_V3, 2,
                    "the claim command exited 1")));

            assertError(authed("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\"}"), 502,
                    "claim handoff failed for python-dev/small after 2 prebuilds (deleted as CLAIM_FAILED): the claim command exited 1");
        }

        @Test
        void aClaim_is201WithTheWorkspaceAndItsOutputs() throws Exception {
            ClaimPrebuildUseCase.ClaimedWorkspace ws = new ClaimPrebuildUseCase.ClaimedWorkspace(WS2, "alice-small", "alice", SMALL_V3,
                    Instant.parse("2026-03-02T09:00:00Z"), NOW, Map.of("url", "https://ws.example/alice", "ip", "10.0.0.7"));
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Claimed(ws)));

            HttpResponse<String> response = authed("POST", "/api/v1/presets/python-dev/small/claims",
                    "{\"owner\":\"alice\",\"name\":\"alice-small\"}");

            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree("""
                    {"id":"00000000-0000-0000-0000-000000000002","name":"alice-small","owner":"alice",
                     "preset":"python-dev/small","version":"v3","createdAt":"2026-03-02T09:00:00Z",
                     "claimedAt":"2026-03-02T10:15:30.250Z",
                     "outputs":{"ip":"10.0.0.7","url":"https://ws.example/alice"}}
                    """));
            verify(claim).claimWaiting(new ClaimCommand(new PresetRef("python-dev", "small"), "alice", Optional.of("alice-small")));
        }

        @Test
        void withoutAName_theCommandHasNone() {
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Missed(SMALL_V3)));

            authed("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\",\"name\":null}");

            verify(claim).claimWaiting(new ClaimCommand(new PresetRef("python-dev", "small"), "bob", Optional.empty()));
        }

        @Test
        void noPrebuildAvailable_is409() {
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Missed(SMALL_V3)));

            JsonNode body = assertError(authed("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"bob\"}"),
                    409, "");

            assertThat(body.get("error").asText()).isEqualTo("no prebuilt workspace available for python-dev/small");
        }

        @Test
        void anUnknownPreset_is404() {
            when(claim.claimWaiting(any())).thenThrow(new NotFoundException("preset python-dev/nope does not exist"));

            assertError(authed("POST", "/api/v1/presets/python-dev/nope/claims", "{\"owner\":\"bob\"}"), 404,
                    "preset python-dev/nope does not exist");
        }

        HttpResponse<String> claimWithKey(String body, String... keys) {
            String[] headers = new String[4 + 2 * keys.length];
            headers[0] = "Authorization";
            headers[1] = "Bearer " + TOKEN;
            headers[2] = "Content-Type";
            headers[3] = "application/json";
            for (int i = 0; i < keys.length; i++) {
                headers[4 + 2 * i] = "Idempotency-Key";
                headers[5 + 2 * i] = keys[i];
            }
            return send("POST", "/api/v1/presets/python-dev/small/claims", body, headers);
        }

        @Test
        void anIdempotencyKey_reachesTheCommand_andAClaimMadeNowHasNoReplayedHeader() {
            ClaimPrebuildUseCase.ClaimedWorkspace ws = new ClaimPrebuildUseCase.ClaimedWorkspace(WS2, "alice-small", "alice",
                    SMALL_V3, Instant.parse("2026-03-02T09:00:00Z"), NOW, Map.of());
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Claimed(ws, false)));

            HttpResponse<String> response = claimWithKey("{\"owner\":\"alice\"}", "2f1c-7a:retry/1");

            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(response.headers().firstValue("Idempotent-Replayed")).isEmpty();
            verify(claim).claimWaiting(new ClaimCommand(new PresetRef("python-dev", "small"), "alice", Optional.empty(),
                    Optional.of("2f1c-7a:retry/1")));
        }

        @Test
        void aReplayedClaim_isTheSame201AndBody_markedAsReplayed() throws Exception {
            ClaimPrebuildUseCase.ClaimedWorkspace ws = new ClaimPrebuildUseCase.ClaimedWorkspace(WS2, "alice-small", "alice",
                    SMALL_V3, Instant.parse("2026-03-02T09:00:00Z"), NOW, Map.of("url", "https://ws.example/alice"));
            when(claim.claimWaiting(any())).thenReturn(done(new ClaimPrebuildUseCase.Claimed(ws, false)),
                    done(new ClaimPrebuildUseCase.Claimed(ws, true)));

            HttpResponse<String> first = claimWithKey("{\"owner\":\"alice\"}", "k-1");
            HttpResponse<String> again = claimWithKey("{\"owner\":\"alice\"}", "k-1");

            assertThat(again.statusCode()).isEqualTo(first.statusCode()).isEqualTo(201);
            assertThat(again.body()).isEqualTo(first.body());
            assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        }

        @Test
        void aKeyUsedForAnotherClaim_is409WithTheMessage() {
            when(claim.claimWaiting(any())).thenThrow(new ConflictException("Idempotency-Key 'k-1' was used within the last 24 h "
                    + "for a claim of python-dev/small by alice; a key names one claim: send a new key for another claim"));

            assertError(claimWithKey("{\"owner\":\"bob\"}", "k-1"), 409, "Idempotency-Key 'k-1' was used");
        }

        @Test
        void waitWithAnIdempotencyKey_is400NamingBoth_andNothingIsClaimed() {
            assertError(claimWithKey("{\"owner\":\"alice\",\"wait\":\"2m\"}", "k-1"), 400,
                    "wait and Idempotency-Key cannot be combined");
            verifyNoInteractions(claim);
        }

        @ParameterizedTest(name = "[{index}] {1}")
        @MethodSource("io.warmpool.adapters.http.RestApiTest#badIdempotencyKeys")
        void aBadIdempotencyKey_is400NamingTheHeader_andNothingIsClaimed(List<String> keys, String message) {
            assertError(claimWithKey("{\"owner\":\"alice\"}", keys.toArray(String[]::new)), 400, message);
            verifyNoInteractions(claim);
        }

        @ParameterizedTest(name = "[{index}] {1}")
        @MethodSource("io.warmpool.adapters.http.RestApiTest#badClaimBodies")
        void aBadBody_is400_andNothingIsClaimed(String body, String message) {
            assertError(authed("POST", "/api/v1/presets/python-dev/small/claims", body), 400, message);
            verifyNoInteractions(claim);
        }
    }

    static Stream<Arguments> badIdempotencyKeys() {
        return Stream.of(
                Arguments.of(List.of(""), "Idempotency-Key must not be empty"),
                Arguments.of(List.of("k".repeat(256)), "Idempotency-Key must be at most 255 characters, got 256"),
                Arguments.of(List.of("two words"), "Idempotency-Key must be visible ASCII characters ('!' to '~', no spaces), got the character U+0020 at position 4"),
                Arguments.of(List.of("a\tb"), "got the character U+0009 at position 2"),
                Arguments.of(List.of("k-1", "k-2"), "Idempotency-Key must be sent at most once, got 2 values"));
    }

    static Stream<Arguments> badClaimBodies() {
        return Stream.of(
                Arguments.of("{\"owner\":", "malformed JSON at line 1"),
                Arguments.of("{\"owner\":\"a\"} trailing", "malformed JSON"),
                Arguments.of("{\"owner\":\"a\",\"owner\":\"b\"}", "malformed JSON"),
                Arguments.of("[\"alice\"]", "must be a JSON object"),
                Arguments.of("{\"owner\":" + "[".repeat(5_000), "malformed JSON"),
                Arguments.of("", "must be a JSON object"),
                Arguments.of("{}", "owner is required"),
                Arguments.of("{\"owner\":\"Alice Smith\"}", "owner 'Alice Smith' must match"),
                Arguments.of("{\"owner\":\"prebuilds\"}", "reserved for unclaimed prebuilds"),
                Arguments.of("{\"owner\":\"alice\",\"name\":\"Bad_Name\"}", "name 'Bad_Name' must match"),
                Arguments.of("{\"owner\":42}", "owner must be a JSON string"),
                Arguments.of("{\"owner\":\"alice\",\"ttl\":\"1h\"}", "unknown field 'ttl'; expected owner, name"));
    }

    // ---- reconciliation -------------------------------------------------------------------------------------

    @Nested
    class Reconciliation {

        @Test
        void get_reportsThePauseFlag() {
            when(reconciliation.isPaused()).thenReturn(true);

            assertThat(get("/api/v1/reconciliation").body()).isEqualTo("{\"paused\":true}");
        }

        @Test
        void pause_pausesAndSaysSo() {
            HttpResponse<String> response = authed("POST", "/api/v1/reconciliation/pause", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"paused\":true}");
            verify(reconciliation).pause();
        }

        @Test
        void resume_resumesAndSaysSo() {
            HttpResponse<String> response = authed("POST", "/api/v1/reconciliation/resume", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"paused\":false}");
            verify(reconciliation).resume();
        }
    }

    // ---- workspaces -----------------------------------------------------------------------------------------

    @Nested
    class Workspaces {

        @Test
        void list_passesTheFilters_andShowsEachWorkspace() throws Exception {
            when(inspect.workspaces(new PresetRef("python-dev", "small"), "alice", null, 5))
                    .thenReturn(new Page<>(List.of(workspaceView()), null));

            HttpResponse<String> response = get("/api/v1/workspaces?preset=python-dev/small&owner=alice&limit=5");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree("""
                    {"items": [{"id":"00000000-0000-0000-0000-000000000002","name":"alice-small","owner":"alice",
                      "preset":"python-dev/small","version":"v3","phase":"running","claimed":true,
                      "createdAt":"2026-03-02T09:00:00Z","claimedAt":"2026-03-02T10:15:30.250Z",
                      "outputs":{"url":"https://ws.example/alice"}}],
                     "next": null}
                    """));
        }

        @Test
        void list_withoutFilters_takesAllAndAHundred() {
            when(inspect.workspaces(null, null, null, 100)).thenReturn(new Page<>(List.of(), null));

            assertThat(get("/api/v1/workspaces").body()).isEqualTo("{\"items\":[],\"next\":null}");
            verify(inspect).workspaces(isNull(), isNull(), isNull(), eq(100));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"limit=0", "limit=1001", "limit=ten", "limit=", "limit=-5"})
        void list_withABadLimit_is400(String query) {
            assertError(get("/api/v1/workspaces?" + query), 400, "limit must be a whole number between 1 and 1000");
            verifyNoInteractions(inspect);
        }

        @Test
        void list_acceptsTheLimitBounds() {
            when(inspect.workspaces(any(), any(), any(), org.mockito.ArgumentMatchers.anyInt()))
                    .thenReturn(new Page<>(List.of(), null));

            assertThat(get("/api/v1/workspaces?limit=1").statusCode()).isEqualTo(200);
            assertThat(get("/api/v1/workspaces?limit=1000").statusCode()).isEqualTo(200);
        }

        @Test
        void list_withABadPreset_is400() {
            assertError(get("/api/v1/workspaces?preset=python-dev"), 400, "must be given as template/preset");
            verifyNoInteractions(inspect);
        }

        @Test
        void list_withABadOwner_is400() {
            assertError(get("/api/v1/workspaces?owner=A%20B"), 400, "owner 'A B' must match");
        }

        @Test
        void list_ofAnUnknownPreset_is404() {
            when(inspect.workspaces(any(), any(), any(), org.mockito.ArgumentMatchers.anyInt()))
                    .thenThrow(new NotFoundException("preset python-dev/nope does not exist"));

            assertError(get("/api/v1/workspaces?preset=python-dev/nope"), 404, "does not exist");
        }

        @Test
        void one_isShown() {
            when(inspect.workspace(WS2)).thenReturn(workspaceView());

            JsonNode body = body(get("/api/v1/workspaces/" + WS2.text()));

            assertThat(body.get("id").asText()).isEqualTo(WS2.text());
            assertThat(body.get("phase").asText()).isEqualTo("running");
        }

        @Test
        void one_withABadId_is400() {
            assertError(get("/api/v1/workspaces/not-a-uuid"), 400, "workspace id 'not-a-uuid' is not a UUID");
            verifyNoInteractions(inspect);
        }

        @Test
        void one_thatDoesNotExist_is404() {
            when(inspect.workspace(WS1)).thenThrow(new NotFoundException("workspace " + WS1 + " does not exist"));

            assertError(get("/api/v1/workspaces/" + WS1.text()), 404, "does not exist");
        }

        @Test
        void builds_showTheirErrorsAndLogs() throws Exception {
            when(inspect.builds(WS1, null, 100)).thenReturn(new Page<>(List.of(
                    new Build(41, Build.Transition.CREATE, "failed", null, 1,
                            NOW.minusSeconds(300), NOW.minusSeconds(290), NOW.minusSeconds(200), "permanent",
                            "invalid parameter cpu", "step 1\nstep 2: cpu must be a number"),
                    new Build(57, Build.Transition.DELETE, "pending", "FAILED_CLEANUP", 1,
                            NOW, null, null, null, null, null)), "CURSOR-2"));

            HttpResponse<String> response = get("/api/v1/workspaces/" + WS1.text() + "/builds");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json.readTree(response.body())).isEqualTo(json.readTree("""
                    {"items": [{"id":41,"transition":"create","status":"failed","reason":null,"attempt":1,
                      "createdAt":"2026-03-02T10:10:30.250Z","startedAt":"2026-03-02T10:10:40.250Z",
                      "finishedAt":"2026-03-02T10:12:10.250Z","errorCode":"permanent",
                      "error":"invalid parameter cpu","log":"step 1\\nstep 2: cpu must be a number","awaitingCallbackUntil":null},
                     {"id":57,"transition":"delete","status":"pending","reason":"failed_cleanup","attempt":1,
                      "createdAt":"2026-03-02T10:15:30.250Z","startedAt":null,"finishedAt":null,
                      "errorCode":null,"error":null,"log":null,"awaitingCallbackUntil":null}],
                     "next": "CURSOR-2"}
                    """));
        }

        @Test
        void release_is202() {
            HttpResponse<String> response = authed("DELETE", "/api/v1/workspaces/" + WS2.text(), null);

            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"released\":\"" + WS2.text() + "\"}");
            verify(release).release(WS2);
        }

        @Test
        void release_ofAnUnclaimedPrebuild_is409() {
            doThrow(new ConflictException("workspace " + WS1 + " is an unclaimed prebuild; warmpool manages it"))
                    .when(release).release(WS1);

            assertError(authed("DELETE", "/api/v1/workspaces/" + WS1.text(), null), 409, "unclaimed prebuild");
        }
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    @Nested
    class ApiContract {

        @Test
        void version_answersTheBuildsVersionAndRevision_behindTheToken() throws Exception {
            RestApi other = new RestApi(new HttpAddress("127.0.0.1", 0), HttpLimits.defaults(), List.of(),
                    new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release, history), TOKEN,
                    ReadinessCheck.ALWAYS, metrics, Clock.fixed(NOW, ZoneOffset.UTC),
                    new RestApi.Version("1.2.3", "1f8649ae379f-dirty"));
            other.start();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + other.port() + "/api/v1/version"))
                        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(body(response)).isEqualTo(json.readTree("{\"version\":\"1.2.3\",\"revision\":\"1f8649ae379f-dirty\"}"));
            } finally {
                other.stop();
            }
            assertThat(body(get("/api/v1/version"))).isEqualTo(json.readTree("{\"version\":\"unknown\",\"revision\":\"unknown\"}"));
            assertError(send("GET", "/api/v1/version", null), 401, "missing bearer token");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"/api/v1/workspaces?offset=10", "/api/v1/status?verbose=1", "/api/v1/presets?x=",
                "/api/v1/workspaces/00000000-0000-0000-0000-000000000001/builds?owner=alice",
                "/api/v1/presets/python-dev/small/builds?hours=2", "/api/v1/presets/python-dev/small/activity?limit=5",
                "/api/v1/version?v=2", "/healthz?probe=1", "/metrics?name[]=x"})
        void anUnknownQueryParameter_is400NamingIt_andNoUseCaseRuns(String path) {
            String name = path.substring(path.indexOf('?') + 1).split("=", 2)[0];
            JsonNode problem = assertError(get(path), 400, "unknown query parameter '" + name + "'");
            assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:bad-request");
            verifyNoInteractions(inspect, apply, operate, claim, reconciliation, release, history);
        }

        @Test
        void unknownQueryParameters_areAllNamed_withWhatTheRouteTakes() {
            assertError(get("/api/v1/workspaces?offset=1&limit=2&page=3"), 400,
                    "unknown query parameters 'offset', 'page'; expected cursor, limit, owner, preset");
            assertError(authed("POST", "/api/v1/reconciliation/pause?now=1", null), 400, "this route takes none");
            verifyNoInteractions(inspect, reconciliation);
        }

        @Test
        void theListsPassTheCursor_andAnswerItsNext() throws Exception {
            when(inspect.workspaces(null, "alice", "CUR", 2)).thenReturn(new Page<>(List.of(workspaceView()), "NEXT"));
            when(inspect.builds(WS1, "B", 1)).thenReturn(new Page<>(List.of(), null));
            when(history.recentBuilds(PresetRef.parse("python-dev/small"), "P", 3)).thenReturn(new Page<>(List.of(), "Q"));

            assertThat(body(get("/api/v1/workspaces?owner=alice&cursor=CUR&limit=2")).get("next").asText()).isEqualTo("NEXT");
            assertThat(get("/api/v1/workspaces/" + WS1.text() + "/builds?cursor=B&limit=1").body())
                    .isEqualTo("{\"items\":[],\"next\":null}");
            assertThat(body(get("/api/v1/presets/python-dev/small/builds?limit=3&cursor=P")).get("next").asText()).isEqualTo("Q");
        }

        @Test
        void aBadCursor_is400() {
            when(inspect.workspaces(null, null, "nope", 100)).thenThrow(
                    new IllegalArgumentException("cursor is not valid here: give the 'next' of a previous page of this list"));

            assertError(get("/api/v1/workspaces?cursor=nope"), 400, "cursor is not valid here");
            assertError(get("/api/v1/workspaces?cursor="), 400, "cursor must not be empty");
            assertError(get("/api/v1/workspaces/" + WS1.text() + "/builds?limit=1001"), 400,
                    "limit must be a whole number between 1 and 1000");
        }

        @Test
        void aSecondRelease_answersTheSame202() {
            HttpResponse<String> first = authed("DELETE", "/api/v1/workspaces/" + WS2.text(), null);
            HttpResponse<String> second = authed("DELETE", "/api/v1/workspaces/" + WS2.text(), null);

            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(second.statusCode()).isEqualTo(202);
            assertThat(second.body()).isEqualTo(first.body());
            verify(release, org.mockito.Mockito.times(2)).release(WS2);
        }

        @Test
        void theClaimMiss_isANoPrebuildProblem_withItsCode() {
            when(claim.claimWaiting(any())).thenReturn(java.util.concurrent.CompletableFuture.completedFuture(
                    new ClaimPrebuildUseCase.Missed(SMALL_V3)));

            JsonNode problem = assertError(authed("POST", "/api/v1/presets/python-dev/small/claims", "{\"owner\":\"alice\"}"),
                    409, "no prebuilt workspace available");
            assertThat(problem.get("type").asText()).isEqualTo("urn:warmpool:problem:no-prebuild");
            assertThat(problem.get("title").asText()).isEqualTo("No prebuilt workspace available");
            assertThat(problem.get("code").asText()).isEqualTo("no_prebuild_available");
            assertThat(problem.has("errors")).isFalse();
        }
    }

    @Nested
    class Errors {

        @Test
        void anUnknownRoute_is404Json() {
            assertError(get("/api/v1/nope"), 404, "no such route: GET /api/v1/nope");
            assertError(send("GET", "/nope", null), 404, "no such route");
        }

        @Test
        void aWrongMethod_is405Json() {
            assertError(authed("PUT", "/api/v1/status", "{}"), 405, "method not allowed: PUT /api/v1/status");
            assertError(send("DELETE", "/healthz", null), 405, "method not allowed");
            verifyNoInteractions(inspect);
        }

        @Test
        void aJsonBodyOverOneMebibyte_is413_andNothingIsClaimed() {
            String big = "{\"owner\": \"" + "x".repeat((int) RestApi.MAX_BODY_BYTES) + "\"}";

            assertError(send("POST", "/api/v1/presets/python-dev/small/claims", big, "Authorization", "Bearer " + TOKEN,
                    "Content-Type", "application/json"), 413, "request body larger than 1048576 bytes");
            verifyNoInteractions(claim);
        }

        @Test
        void aBodyOfExactlyOneMebibyte_isAccepted() {
            when(apply.apply(any())).thenReturn(new ApplyPresetsUseCase.Applied(0, 0, 0, 0));
            String prefix = "templates: []\n#";
            String body = prefix + "x".repeat((int) RestApi.MAX_BODY_BYTES - prefix.length());

            assertThat(authed("POST", "/api/v1/presets", body).statusCode()).isEqualTo(200);
        }

        @Test
        void anUnreachableStore_is503WithItsMessage() {
            when(inspect.status()).thenThrow(new StoreUnavailableException("the database is unreachable",
                    new IllegalStateException("Connection refused: db:5432 password=hunter2")));

            HttpResponse<String> response = get("/api/v1/status");

            assertError(response, 503, "the database is unreachable");
            assertThat(response.body()).doesNotContain("hunter2", "5432");
        }

        @Test
        void anUnexpectedFailure_is500WithAGenericMessage() {
            when(inspect.status()).thenThrow(new IllegalStateException("secret internals: row 42 of table presets"));

            HttpResponse<String> response = get("/api/v1/status");

            assertError(response, 500, "internal error");
            assertThat(response.body()).doesNotContain("secret", "row 42", "IllegalState");
        }

        @Test
        void anErrorThrown_isAlso500WithAGenericMessage() {
            when(inspect.plan()).thenThrow(new AssertionError("a bug: invariant broken"));

            HttpResponse<String> response = get("/api/v1/plan");

            assertThat(response.statusCode()).isEqualTo(500);
            assertNoInternals(response.body());
            assertThat(response.body()).doesNotContain("invariant", "AssertionError");
        }

        @Test
        void aMalformedRequestLine_isRejected_withoutInternals() throws IOException {
            try (Socket socket = new Socket("127.0.0.1", api.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);

                assertThat(response).startsWith("HTTP/1.1 400");
                assertNoInternals(response);
            }
            verifyNoInteractions(inspect);
        }

        @ParameterizedTest(name = "{0} {1}")
        @org.junit.jupiter.params.provider.CsvSource({
                "GET, /api/v1/workspaces/%00",
                "POST, /api/v1/presets/python-dev/%00/claims",
                "PUT, /api/%00",
                "GET, /healthz/%00"})
        void aPathJettyRejectsBeforeRouting_isA400JsonError_evenWithoutAToken(String method, String path) {
            HttpResponse<String> response = send(method, path, "{}");

            assertError(response, 400, "request rejected before routing");
            verifyNoInteractions(inspect, apply, operate, claim, reconciliation, release);
        }

        @Test
        void afterARequestJettyRejects_theClosedConnectionIsAnnounced_soTheNextRequestOnTheSameClientIsAnswered() {
            // Jetty drops the connection after these; without "Connection: close" the client reused it and its next
            // request failed with "header parser received no bytes" (found by the API fuzz test).
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> rejected = send(i % 2 == 0 ? "GET" : "POST",
                        i % 4 < 2 ? "/api/%00" : "/api/" + "x".repeat(9000), "~");
                assertThat(rejected.statusCode()).isIn(400, 414);
                assertThat(rejected.headers().firstValue("Connection")).hasValue("close");
                assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
            }
        }

        @Test
        void aHeaderTooLargeForJetty_isAJsonError() {
            HttpResponse<String> response = send("GET", "/api/v1/status", null, "X-Big", "x".repeat(64 * 1024));

            assertThat(response.statusCode()).isEqualTo(431);
            assertThat(assertProblem(response, 431).get("detail").asText()).startsWith("request rejected before routing");
            verifyNoInteractions(inspect);
        }

        @Test
        void responses_doNotAdvertiseTheServerVersion() {
            assertThat(send("GET", "/healthz", null).headers().firstValue("Server")).isEmpty();
        }
    }

    // ---- dashboard ------------------------------------------------------------------------------------------

    String sessionCookie() {
        HttpResponse<String> signIn = send("GET", "/?code=" + api.newSignInCode().code(), null);
        assertThat(signIn.statusCode()).isEqualTo(303);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Nested
    class DashboardPages {

        @Test
        void theSignInLink_setsAStrictHttpOnlyCookie_andRedirectsToTheBarePath() {
            HttpResponse<String> response = send("GET", "/?code=" + api.newSignInCode().code(), null);

            assertThat(response.statusCode()).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).hasValue("/");
            assertThat(response.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                    .startsWith("warmpool_session=").contains("HttpOnly", "SameSite=Strict", "Path=/"));
            assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        }

        @Test
        void theApiTokenInTheUrl_isRefused_andSetsNoCookie() {
            HttpResponse<String> response = send("GET", "/?token=" + TOKEN, null);

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("not accepted in a URL", "warmpool dashboard");
            assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        }

        @Test
        void aWrongCode_showsTheSignInPageSayingSo_andSetsNoCookie() {
            HttpResponse<String> response = send("GET", "/?code=wrong", null);

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(response.body()).contains("That sign-in link is not valid", "warmpool dashboard");
            assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        }

        @Test
        void withoutASession_theRootIsTheSignInHint_withoutData() {
            HttpResponse<String> response = send("GET", "/", null);

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("needs a sign-in link", "warmpool run").doesNotContain("app.js");
            verifyNoInteractions(inspect);
        }

        @Test
        void withASession_theRootIsTheDashboard_underAStrictContentSecurityPolicy() {
            HttpResponse<String> response = send("GET", "/", null, "Cookie", sessionCookie());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("<script type=\"module\" src=\"/assets/app.js\"></script>");
            String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe", "http:", "https:", "*");
            assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        }

        @Test
        void assetsAreServedWithTheirTypes_andUnknownOnesAre404() {
            assertThat(send("GET", "/assets/app.js", null).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertThat(send("GET", "/assets/style.css", null).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
            assertThat(send("GET", "/assets/app.js", null).headers().firstValue("Content-Security-Policy")).isPresent();
            assertError(send("GET", "/assets/secret.txt", null), 404, "no such route");
            assertError(send("GET", "/assets/..%2Findex.html", null), 404, "no such route");
        }

        @Test
        void theSessionCookieAuthenticatesApiReads() {
            when(reconciliation.isPaused()).thenReturn(true);

            HttpResponse<String> response = send("GET", "/api/v1/reconciliation", null, "Cookie", sessionCookie());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body(response).get("paused").asBoolean()).isTrue();
        }

        @Test
        void aForgedCookie_is401_sayingTheSessionIsNotValid() {
            assertError(send("GET", "/api/v1/status", null, "Cookie", "warmpool_session=v1.99999999999.AAAA"), 401,
                    "session has expired or is not valid");
            verifyNoInteractions(inspect);
        }

        @Test
        void aMutatingRequestWithTheCookie_butWithoutTheCsrfHeader_is403_andChangesNothing() {
            assertError(send("POST", "/api/v1/reconciliation/pause", null, "Cookie", sessionCookie()), 403,
                    "X-Warmpool-Csrf");
            assertError(send("DELETE", "/api/v1/workspaces/" + WS1.text(), null, "Cookie", sessionCookie()), 403,
                    "cross-site request refused");
            verifyNoInteractions(reconciliation, release);
        }

        @Test
        void aMutatingRequestWithTheCookieFromAnotherOrigin_is403_evenWithTheHeader() {
            assertError(send("POST", "/api/v1/reconciliation/pause", null, "Cookie", sessionCookie(),
                    "X-Warmpool-Csrf", "1", "Origin", "http://127.0.0.1:1"), 403, "Origin http://127.0.0.1:1 is not this server");
            assertError(send("POST", "/api/v1/reconciliation/pause", null, "Cookie", sessionCookie(),
                    "X-Warmpool-Csrf", "1", "Sec-Fetch-Site", "same-site"), 403, "Sec-Fetch-Site");
            verifyNoInteractions(reconciliation);
        }

        @Test
        void aMutatingRequestWithTheCookie_theHeader_andThisOrigin_goesThrough() {
            HttpResponse<String> response = send("POST", "/api/v1/reconciliation/pause", null, "Cookie", sessionCookie(),
                    "X-Warmpool-Csrf", "1", "Origin", base);

            assertThat(response.statusCode()).isEqualTo(200);
            verify(reconciliation).pause();
        }

        @Test
        void bearerClientsNeedNoCsrfHeader() {
            assertThat(authed("POST", "/api/v1/reconciliation/pause", null).statusCode()).isEqualTo(200);
            verify(reconciliation).pause();
        }
    }

    // ---- history -----------------------------------------------------------------------------------------------

    @Nested
    class History {

        @Test
        void status_carriesTheLastPassOfAnyReplica_orNull() throws Exception {
            when(inspect.status()).thenReturn(status());
            assertThat(body(get("/api/v1/status")).get("lastPass").isNull()).isTrue();

            when(history.lastPass()).thenReturn(Optional.of(new PresetHistoryUseCase.LastPass(
                    NOW.minusSeconds(3), Duration.ofMillis(42), "host-7", 3, 2, 1, 0, 0)));

            assertThat(body(get("/api/v1/status")).get("lastPass")).isEqualTo(json.readTree("""
                    {"startedAt":"2026-03-02T10:15:27.250Z","durationMs":42,"replica":"host-7","presets":3,
                     "creates":2,"deletes":1,"cancels":0,"failures":0}
                    """));
        }

        @Test
        void activity_hasTodaysScheduleClaimsAndSamples() throws Exception {
            var activity = new PresetHistoryUseCase.PresetActivity(SMALL_V3, NOW, java.time.ZoneId.of("Europe/Berlin"),
                    java.time.LocalDate.of(2026, 3, 2),
                    List.of(new io.warmpool.domain.PrebuildPolicy.DesiredSpan(0, 8, 2, null),
                            new io.warmpool.domain.PrebuildPolicy.DesiredSpan(8, 19, 6, "* 8-18 * * 1-5"),
                            new io.warmpool.domain.PrebuildPolicy.DesiredSpan(19, 24, 2, null)),
                    NOW.minusSeconds(3600), new PresetHistoryUseCase.Claims(7, 1),
                    NOW.minusSeconds(7200), List.of(new PresetHistoryUseCase.Sample(NOW.minusSeconds(60), 6, 4, 2, 0)));
            when(history.activity(PresetRef.parse("python-dev/small"), Duration.ofHours(2))).thenReturn(activity);

            HttpResponse<String> response = get("/api/v1/presets/python-dev/small/activity?hours=2");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(body(response)).isEqualTo(json.readTree("""
                    {"preset":"python-dev/small","version":"v3","at":"2026-03-02T10:15:30.250Z",
                     "timezone":"Europe/Berlin","today":"2026-03-02",
                     "schedule":[{"from":"00:00","to":"08:00","instances":2,"cron":null},
                                 {"from":"08:00","to":"19:00","instances":6,"cron":"* 8-18 * * 1-5"},
                                 {"from":"19:00","to":"24:00","instances":2,"cron":null}],
                     "claims":{"since":"2026-03-02T09:15:30.250Z","served":7,"missed":1},
                     "samples":{"since":"2026-03-02T08:15:30.250Z",
                                "points":[{"at":"2026-03-02T10:14:30.250Z","desired":6,"eligible":4,"starting":2,"failed":0}]}}
                    """));
        }

        @Test
        void activity_ofAPresetWithoutSchedule_namesItsTimezoneUtc_notZ() throws Exception {
            // given a preset without scheduling: the domain evaluates it in ZoneOffset.UTC, whose id is "Z"
            var zone = io.warmpool.domain.schedule.PrebuildSchedule.none().zone();
            var activity = new PresetHistoryUseCase.PresetActivity(LARGE, NOW, zone, java.time.LocalDate.of(2026, 3, 2),
                    List.of(new io.warmpool.domain.PrebuildPolicy.DesiredSpan(0, 24, 2, null)),
                    NOW.minusSeconds(3600), new PresetHistoryUseCase.Claims(0, 0),
                    NOW.minusSeconds(21600), List.of());
            when(history.activity(PresetRef.parse("go-dev/large"), Duration.ofHours(6))).thenReturn(activity);

            // when the dashboard asks for its activity
            HttpResponse<String> response = get("/api/v1/presets/go-dev/large/activity");

            // then the timezone is an IANA name a browser's Intl.DateTimeFormat accepts, and one span covers the day
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(body(response)).isEqualTo(json.readTree("""
                    {"preset":"go-dev/large","version":"v1","at":"2026-03-02T10:15:30.250Z",
                     "timezone":"UTC","today":"2026-03-02",
                     "schedule":[{"from":"00:00","to":"24:00","instances":2,"cron":null}],
                     "claims":{"since":"2026-03-02T09:15:30.250Z","served":0,"missed":0},
                     "samples":{"since":"2026-03-02T04:15:30.250Z","points":[]}}
                    """));
        }

        @Test
        void activity_defaultsToSixHours_andRejectsABadWindow() {
            when(history.activity(any(), any())).thenThrow(new NotFoundException("preset nope/x does not exist"));

            assertError(get("/api/v1/presets/nope/x/activity"), 404, "preset nope/x does not exist");
            verify(history).activity(PresetRef.parse("nope/x"), Duration.ofHours(6));
            assertError(get("/api/v1/presets/python-dev/small/activity?hours=25"), 400, "hours must be a whole number between 1 and 24");
            assertError(get("/api/v1/presets/python-dev/small/activity?hours=x"), 400, "hours");
        }

        @Test
        void builds_ofAPreset_newestFirst_withTheirWorkspace() throws Exception {
            var build = new Build(41, Build.Transition.CREATE, "FAILED", "DESIRED", 1,
                    NOW.minusSeconds(10), NOW.minusSeconds(9), NOW.minusSeconds(8), "permanent", "invalid parameter cpu", "tail");
            when(history.recentBuilds(PresetRef.parse("python-dev/small"), null, 20)).thenReturn(
                    new Page<>(List.of(new PresetHistoryUseCase.PresetBuild(WS1, build)), null));

            HttpResponse<String> response = get("/api/v1/presets/python-dev/small/builds");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body(response)).isEqualTo(json.readTree("""
                    {"items": [{"workspace":"00000000-0000-0000-0000-000000000001","id":41,"transition":"create","status":"failed",
                      "reason":"desired","attempt":1,"createdAt":"2026-03-02T10:15:20.250Z","startedAt":"2026-03-02T10:15:21.250Z",
                      "finishedAt":"2026-03-02T10:15:22.250Z","errorCode":"permanent","error":"invalid parameter cpu","log":"tail","awaitingCallbackUntil":null}],
                     "next": null}
                    """));
            assertError(get("/api/v1/presets/python-dev/small/builds?limit=101"), 400, "limit must be a whole number between 1 and 100");
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------

    @Nested
    class Lifecycle {

        RestApi another(HttpAddress address) {
            return new RestApi(address, new RestApi.UseCases(inspect, apply, operate, claim, reconciliation, release),
                    TOKEN, ReadinessCheck.ALWAYS, metrics, Clock.systemUTC());
        }

        @Test
        void portAndAddress_areKnownOnlyWhileRunning() {
            RestApi other = another(new HttpAddress("127.0.0.1", 0));
            org.assertj.core.api.Assertions.assertThatThrownBy(other::port).isInstanceOf(IllegalStateException.class);

            other.start();
            try {
                assertThat(other.port()).isPositive().isNotEqualTo(api.port());
                assertThat(other.boundAddress()).isEqualTo(new HttpAddress("127.0.0.1", other.port()));
                org.assertj.core.api.Assertions.assertThatThrownBy(other::start).isInstanceOf(IllegalStateException.class);
            } finally {
                other.stop();
            }
            other.stop();
            org.assertj.core.api.Assertions.assertThatThrownBy(other::port).isInstanceOf(IllegalStateException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(other::start).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void aStoppedServer_releasesItsPort() throws IOException {
            RestApi other = another(new HttpAddress("127.0.0.1", 0));
            other.start();
            int port = other.port();
            other.stop();

            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }

        @Test
        void aPortInUse_failsToStart_namingTheAddress() {
            RestApi other = another(new HttpAddress("127.0.0.1", api.port()));

            org.assertj.core.api.Assertions.assertThatThrownBy(other::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + api.port());
        }

        @Test
        void itListensOnTheGivenHostOnly() {
            // 127.0.0.2 is another loopback address: a server bound to every interface would answer there too.
            assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new java.net.InetSocketAddress("127.0.0.2", api.port()), 2_000);
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void useCasesAreNotCalledForRequestsThatFailValidation() {
        assertError(get("/api/v1/workspaces/%20"), 400, "is not a UUID");
        verify(inspect, never()).workspace(any());
    }
}
