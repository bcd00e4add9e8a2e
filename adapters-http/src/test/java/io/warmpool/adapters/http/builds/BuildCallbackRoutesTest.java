package io.warmpool.adapters.http.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.adapters.http.HttpAddress;
import io.warmpool.adapters.http.MetricsExposition;
import io.warmpool.adapters.http.ReadinessCheck;
import io.warmpool.adapters.http.RestApi;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.NotFoundException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The callback route over a real server: it needs no API token (the use case checks the signature), hands the raw
 * body and the signature headers to the use case, and answers each refusal with its status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildCallbackRoutesTest {

    private static final String TOKEN = "t0ken-for-callback-tests";
    private final List<CompleteBuildUseCase.Callback> received = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private RestApi api;

    /** By build id: 2 rejected, 3 unknown, 4 finished, 5 still with its worker, 6 malformed, else recorded. */
    private CompleteBuildUseCase.Completed complete(CompleteBuildUseCase.Callback callback) {
        received.add(callback);
        return switch ((int) callback.buildId()) {
            case 2 -> throw new CompleteBuildUseCase.CallbackRejectedException("bad signature");
            case 3 -> throw new NotFoundException("no build 3");
            case 4 -> throw new ConflictException("build 4 is not awaiting a callback: it is succeeded");
            case 5 -> throw new BuildQueuePort.NotYetAwaitingException(new JobId(5));
            case 6 -> throw new IllegalArgumentException("callback body: body is not a JSON object");
            default -> new CompleteBuildUseCase.Completed(callback.buildId(), "create", "succeeded");
        };
    }

    @BeforeAll
    void start() {
        api = new RestApi(new HttpAddress("127.0.0.1", 0), new RestApi.UseCases(mock(InspectUseCase.class),
                mock(ApplyPresetsUseCase.class), mock(OperatePresetsUseCase.class), mock(ClaimPrebuildUseCase.class),
                mock(PauseReconciliationUseCase.class), mock(ReleaseWorkspaceUseCase.class),
                mock(PresetHistoryUseCase.class), this::complete), TOKEN, ReadinessCheck.ALWAYS,
                new MetricsExposition() {
                    @Override
                    public String contentType() {
                        return "text/plain";
                    }

                    @Override
                    public void writeTo(OutputStream out) {
                    }
                }, Clock.systemUTC());
        api.start();
    }

    @AfterAll
    void stop() {
        api.stop();
    }

    private HttpResponse<String> post(String id, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/builds/"
                + id + "/complete")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode body(HttpResponse<String> response) throws Exception {
        return json.readTree(response.body());
    }

    @Test
    void aCallbackWithoutAToken_reachesTheUseCaseWithItsRawBodyAndSignatureHeaders() throws Exception {
        String raw = "{\"request_id\": \"build-1\",  \"status\": \"succeeded\"}";

        HttpResponse<String> response = post("1", raw, "X-Warmpool-Timestamp", "1772359200",
                "X-Warmpool-Signature", "sha256=abc");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(body(response).get("outcome").asText()).isEqualTo("succeeded");
        assertThat(body(response).get("build").asText()).isEqualTo("1");
        CompleteBuildUseCase.Callback callback = received.stream().filter(c -> c.buildId() == 1).findFirst().orElseThrow();
        assertThat(new String(callback.body(), StandardCharsets.UTF_8)).as("byte for byte").isEqualTo(raw);
        assertThat(callback.timestamp()).isEqualTo("1772359200");
        assertThat(callback.signature()).isEqualTo("sha256=abc");
    }

    @Test
    void eachRefusal_hasItsStatus_andAProblem() throws Exception {
        assertThat(post("2", "{}").statusCode()).isEqualTo(401);
        assertThat(body(post("2", "{}")).get("error").asText()).isEqualTo("callback rejected: bad signature");
        assertThat(body(post("2", "{}")).get("detail").asText()).isEqualTo("callback rejected: bad signature");
        assertThat(post("3", "{}").statusCode()).isEqualTo(404);
        assertThat(post("4", "{}").statusCode()).isEqualTo(409);
        HttpResponse<String> early = post("5", "{}");
        assertThat(early.statusCode()).isEqualTo(425);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(post("6", "{}").statusCode()).isEqualTo(400);
        java.util.Map<String, String> types = java.util.Map.of("2", "unauthorized", "3", "not-found", "4", "conflict",
                "5", "too-early", "6", "bad-request");
        for (var e : types.entrySet()) {
            HttpResponse<String> response = post(e.getKey(), "{}");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(body(response).get("type").asText()).isEqualTo("urn:warmpool:problem:" + e.getValue());
            assertThat(body(response).get("status").asInt()).isEqualTo(response.statusCode());
        }
    }

    @Test
    void aBadBuildId_is400_withoutReachingTheUseCase() throws Exception {
        for (String id : List.of("abc", "0", "-1", "01", "99999999999999999999")) {
            int before = received.size();
            assertThat(post(id, "{}").statusCode()).as(id).isEqualTo(400);
            assertThat(received).hasSize(before);
        }
    }

    @Test
    void onlyTheCallbackIsOpen_theOtherBuildPathsStillNeedTheToken() throws Exception {
        for (String path : List.of("/api/v1/builds/1", "/api/v1/builds/1/complete/x", "/api/v1/builds/1/2/complete")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + path)).POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.body()).contains("bearer token");
        }
    }

    @Test
    void aCallbackThatIsNotJson_is415() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                + "/api/v1/builds/1/complete")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .header("Content-Type", "text/plain").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
    }
}
