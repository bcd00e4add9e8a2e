package io.warmpool.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.adapters.http.openapi.OpenApiRoute;
import io.warmpool.bootstrap.OpenApiContract.Violation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The API contract (issue 18): {@code adapters-http/src/main/resources/io/warmpool/adapters/http/openapi.yaml}, served
 * as {@code GET /api/v1/openapi.json}, against the running server. Real requests to every route of the real API
 * ({@link ContractFixture}: real services, embedded PostgreSQL, the http provisioner against a receiver on loopback),
 * each request and each answer validated against the document ({@link OpenApiContract}: swagger-parser reads the
 * document, networknt's json-schema-validator checks bodies and parameters with the OpenAPI 3.1 dialect). A route the
 * server serves that the document lacks fails, and so does a documented route the server does not serve.
 *
 * <p>Each violation reads {@code METHOD /route → status: where /json/pointer: message}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEARER = "Bearer " + ContractFixture.TOKEN;

    private ContractFixture fixture;
    private OpenApiContract contract;
    private String served;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void start() throws Exception {
        fixture = new ContractFixture();
        HttpResponse<String> document = http.send(HttpRequest.newBuilder(URI.create(fixture.base() + OpenApiRoute.PATH))
                .header("Authorization", BEARER).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).as(document.body()).isEqualTo(200);
        served = document.body();
        contract = OpenApiContract.of(served);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---- the document ---------------------------------------------------------------------------------------

    @Test
    void theDocumentIsAValidOpenApi31Document_servedAsTheYamlKeptInTheRepo() throws IOException {
        assertThat(contract.parserMessages()).as("swagger-parser's errors and warnings").isEmpty();
        assertThat(contract.document().path("openapi").asString()).isEqualTo("3.1.0");
        assertThat(JSON.readTree(served)).isEqualTo(JSON.readTree(OpenApiRoute.toJson(OpenApiRoute.yaml())));
        // every operation has a unique operationId (clients generate method names from them)
        List<String> ids = new ArrayList<>();
        contract.document().path("paths").forEach(item -> item.forEach(op -> {
            if (op.has("responses")) {
                ids.add(op.path("operationId").asString());
            }
        }));
        assertThat(ids).doesNotContain("").doesNotHaveDuplicates().hasSize(contract.operationKeys().size());
    }

    @Test
    void everyErrorAnswerOfTheApi_isAProblem() {
        List<String> wrong = new ArrayList<>();
        contract.document().path("paths").properties().forEach(item -> item.getValue().properties().forEach(op -> {
            op.getValue().path("responses").properties().forEach(r -> {
                int status = Integer.parseInt(r.getKey());
                tools.jackson.databind.JsonNode response = r.getValue();
                if (response.has("$ref")) {
                    response = contract.document().at(response.path("$ref").asString().substring(1));
                }
                boolean api = item.getKey().startsWith("/api/") || item.getKey().startsWith("/assets/");
                if (api && status >= 400) {
                    List<String> types = new ArrayList<>(response.path("content").propertyNames());
                    if (!types.equals(List.of("application/problem+json"))) {
                        wrong.add(op.getKey().toUpperCase() + " " + item.getKey() + " " + status + ": " + types);
                    }
                }
            });
        }));
        assertThat(wrong).as("error answers not only application/problem+json").isEmpty();
    }

    @Test
    void theDocumentDescribesExactlyTheRoutesTheServerServes() {
        TreeSet<String> servedRoutes = fixture.routes().stream().map(r -> r.method() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> documented = contract.operationKeys();
        TreeSet<String> missing = new TreeSet<>(servedRoutes);
        missing.removeAll(documented);
        TreeSet<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(servedRoutes);

        assertThat(missing).as("routes the server serves that the OpenAPI document lacks").isEmpty();
        assertThat(notServed).as("documented routes the server does not serve").isEmpty();
    }

    @Test
    void everyDocumentedOperationIsExercised_andEveryExpectedStatusIsDocumented() {
        List<Exchange> all = exchanges();
        Map<String, List<Integer>> exercised = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Exchange x : all) {
            exercised.computeIfAbsent(x.route, k -> new ArrayList<>()).add(x.expected);
            var op = contract.operation(x.route.substring(0, x.route.indexOf(' ')), x.route.substring(x.route.indexOf(' ') + 1));
            if (op.isEmpty() || !op.get().key().equals(x.route)) {
                problems.add(x.route + " is not an operation of the document");
            } else if (!contract.statuses(op.get()).contains(x.expected)) {
                problems.add(x.name() + ": status " + x.expected + " is not documented");
            }
        }
        for (String operation : contract.operationKeys()) {
            List<Integer> statuses = exercised.getOrDefault(operation, List.of());
            if (statuses.stream().noneMatch(s -> s < 400)) {
                problems.add(operation + ": no exchange answered with success (exercised: " + statuses + ")");
            }
        }
        assertThat(problems).isEmpty();
        assertThat(all.stream().map(x -> x.expected).distinct())
                .as("statuses exercised").contains(200, 201, 202, 303, 400, 401, 403, 404, 409, 415, 503);
    }

    // ---- the exchanges --------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyRequestAndAnswerIsWhatTheDocumentSays() {
        return exchanges().stream().map(x -> DynamicTest.dynamicTest(x.name(), () -> run(x)));
    }

    private void run(Exchange x) throws Exception {
        List<Violation> violations = new ArrayList<>();
        String target;
        try {
            target = x.target.get();
        } catch (RuntimeException | AssertionError e) {
            report(x, List.of(new Violation(x.route, 0, "request", "", "cannot be built: " + e.getMessage())));
            return;
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < x.headers.size(); i += 2) {
            headers.computeIfAbsent(x.headers.get(i).toString(), k -> new ArrayList<>()).add(x.headers.get(i + 1).toString());
        }
        byte[] body = x.body == null ? null : x.body.get().getBytes(UTF_8);
        String method = x.route.substring(0, x.route.indexOf(' '));
        var operation = contract.operation(method, path);
        if (operation.isEmpty()) {
            Assertions.fail(x.name() + ": no operation of the document matches " + method + " " + path);
        }
        var op = operation.get();
        if (!op.key().equals(x.route)) {
            violations.add(new Violation(x.route, 0, "request", "", method + " " + path + " matched " + op.key()));
        }
        var request = new OpenApiContract.Request(method, path, query, headers, body);
        List<Violation> requestViolations = contract.checkRequest(op, request);
        if (x.validRequest) {
            violations.addAll(requestViolations);
        } else if (requestViolations.isEmpty()) {
            violations.add(new Violation(x.route, 0, "request", "", "meant to break the document, but the document"
                    + " allows it: " + target));
        }

        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fixture.base() + target)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());

        if (response.statusCode() != x.expected) {
            violations.add(new Violation(x.route, response.statusCode(), "status", "", "expected " + x.expected
                    + ", got " + response.statusCode() + " " + abbreviate(response.body())));
        }
        violations.addAll(contract.checkResponse(op, new OpenApiContract.Response(response.statusCode(),
                response.headers().map(), response.body())));
        if (response.statusCode() == x.expected && x.after != null) {
            try {
                x.after.accept(response);
            } catch (AssertionError | RuntimeException e) {
                violations.add(new Violation(x.route, response.statusCode(), "answer", "", e.getMessage().strip()));
            }
        }
        report(x, violations);
    }

    private static void report(Exchange x, List<Violation> violations) {
        if (violations.isEmpty()) {
            return;
        }
        String lines = violations.stream().map(v -> "  " + v).collect(Collectors.joining("\n"));
        Assertions.fail(x.name() + (x.about == null ? "" : " [" + x.about + "]") + "\n" + lines);
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    /** One request to send and what is expected of it. */
    static final class Exchange {
        final String route;
        final Supplier<String> target;
        final List<Object> headers = new ArrayList<>();
        Supplier<String> body;
        int expected;
        boolean validRequest = true;
        String about;
        Consumer<HttpResponse<String>> after;
        String label = "";

        Exchange(String route, Supplier<String> target) {
            this.route = route;
            this.target = target;
        }

        String name() {
            return route + " → " + expected + (label.isEmpty() ? "" : " (" + label + ")");
        }

        Exchange header(String name, Object value) {
            headers.add(name);
            headers.add(value);
            return this;
        }

        Exchange auth() {
            return header("Authorization", BEARER);
        }

        Exchange json(String text) {
            return body("application/json", text);
        }

        Exchange body(String contentType, String text) {
            header("Content-Type", contentType);
            body = () -> text;
            return this;
        }

        Exchange expect(int status, String what) {
            expected = status;
            label = what;
            return this;
        }

        /** The request breaks the document on purpose (the server must refuse it): its check must find that. */
        Exchange invalid() {
            validRequest = false;
            return this;
        }

        /** What the exchange checks besides its status (problem+json, a paginated list…), named in its failure. */
        Exchange about(String what) {
            about = what;
            return this;
        }

        Exchange then(Consumer<HttpResponse<String>> consumer) {
            after = consumer;
            return this;
        }
    }

    private static Exchange x(String method, String route, String target) {
        return new Exchange(method + " " + route, () -> target);
    }

    private static Exchange x(String method, String route, Supplier<String> target) {
        return new Exchange(method + " " + route, target);
    }

    private static JsonNode read(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static final String PROBLEM = "problem+json";
    private static final String LISTS = "paginated list";

    private List<Exchange> exchanges() {
        AtomicReference<String> code = new AtomicReference<>("");
        AtomicReference<String> cookie = new AtomicReference<>("");
        AtomicReference<String> claimed = new AtomicReference<>("");
        AtomicReference<String> next = new AtomicReference<>();
        AtomicReference<String> firstPage = new AtomicReference<>();
        String key = "order-4711";
        String unknownId = "00000000-0000-4000-8000-00000000dead";
        List<ContractFixture.Create> agents = fixture.workspaces("agent");
        List<ContractFixture.Create> slow = fixture.workspaces("slow");
        ContractFixture.Create callbackBuild = slow.get(0);
        String callbackPath = "/api/v1/builds/" + ContractFixture.buildId(callbackBuild) + "/complete";
        String callbackBody = "{\"request_id\": \"" + callbackBuild.key() + "\", \"status\": \"succeeded\", "
                + "\"outputs\": {\"url\": \"vm://slow-0\"}, \"log\": \"booted after a while\"}";
        String unknownBody = "{\"request_id\": \"build-999999\", \"status\": \"failed\", \"error\": \"gone\", \"permanent\": true}";
        String changedPresets = ContractFixture.PRESETS.replace("instances: 3", "instances: 4");
        String invalidPresets = ContractFixture.PRESETS.replace("instances: 3", "instances: three");

        List<Exchange> all = new ArrayList<>(List.of(
                // operations (no token)
                x("GET", "/healthz", "/healthz").expect(200, "live"),
                x("GET", "/readyz", "/readyz").expect(200, "ready"),
                x("GET", "/metrics", "/metrics").expect(200, "scrape"),

                // meta
                x("GET", "/api/v1/openapi.json", "/api/v1/openapi.json").auth().expect(200, "the document"),
                x("GET", "/api/v1/openapi.json", "/api/v1/openapi.json").expect(401, "no token").invalid().about(PROBLEM),
                x("GET", "/api/v1/version", "/api/v1/version").auth().expect(200, "the build").about("GET /api/v1/version"),

                // dashboard
                x("POST", "/api/v1/dashboard/sign-in-codes", "/api/v1/dashboard/sign-in-codes").auth()
                        .expect(201, "a one-time code").then(r -> code.set(read(r).get("path").asText())),
                x("GET", "/", "/").expect(401, "the sign-in page"),
                x("GET", "/", "/?token=" + ContractFixture.TOKEN).expect(401, "a token in the URL"),
                x("GET", "/", code::get).expect(303, "signed in with the code").then(r -> cookie.set(
                        r.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0])),
                x("GET", "/", code::get).expect(401, "the code again: spent"),
                withCookie(x("GET", "/", "/"), cookie).expect(200, "with the session"),
                x("GET", "/assets/{file}", "/assets/app.js").expect(200, "script"),
                x("GET", "/assets/{file}", "/assets/style.css").expect(200, "style sheet"),
                x("GET", "/assets/{file}", "/assets/favicon.svg").expect(200, "icon"),
                x("GET", "/assets/{file}", "/assets/nope.js").expect(404, "unknown asset").invalid().about(PROBLEM),

                // status and plan
                x("GET", "/api/v1/status", "/api/v1/status").auth().expect(200, "status"),
                x("GET", "/api/v1/status", "/api/v1/status").expect(401, "no token").invalid().about(PROBLEM),
                x("GET", "/api/v1/status", "/api/v1/status?verbose=1").auth().expect(400, "an unknown query parameter")
                        .invalid().about("unknown query parameters rejected, " + PROBLEM),
                x("GET", "/api/v1/plan", "/api/v1/plan").auth().expect(200, "plan"),

                // reconciliation
                x("GET", "/api/v1/reconciliation", "/api/v1/reconciliation").auth().expect(200, "paused?"),
                x("POST", "/api/v1/reconciliation/pause", "/api/v1/reconciliation/pause").auth().expect(200, "paused"),
                x("POST", "/api/v1/reconciliation/resume", "/api/v1/reconciliation/resume").auth().expect(200, "resumed"),

                // presets
                x("GET", "/api/v1/presets", "/api/v1/presets").auth().expect(200, "every preset"),
                x("POST", "/api/v1/presets", "/api/v1/presets?source=presets.yaml").auth()
                        .body("application/yaml", ContractFixture.PRESETS).expect(200, "applied again"),
                x("POST", "/api/v1/presets", "/api/v1/presets?dryRun=true").auth()
                        .body("application/yaml", changedPresets).expect(200, "dry run").about("dry run")
                        .then(r -> assertThat(read(r).get("changes")).as("the dry run's changes").isNotEmpty()),
                x("POST", "/api/v1/presets", "/api/v1/presets?source=p.yaml").auth()
                        .body("application/yaml", invalidPresets).expect(400, "invalid presets").about(PROBLEM),
                x("POST", "/api/v1/presets", "/api/v1/presets").auth().body("application/xml", "<templates/>")
                        .expect(415, "not YAML").invalid().about(PROBLEM),
                x("GET", "/api/v1/presets/{template}/{preset}", "/api/v1/presets/python-dev/small").auth()
                        .expect(200, "with its definition").about("preset definition"),
                x("GET", "/api/v1/presets/{template}/{preset}", "/api/v1/presets/python-dev/office").auth()
                        .expect(200, "scheduled").about("preset definition"),
                x("GET", "/api/v1/presets/{template}/{preset}", "/api/v1/presets/python-dev/scaled").auth()
                        .expect(200, "autoscaled").about("preset definition"),
                x("GET", "/api/v1/presets/{template}/{preset}", "/api/v1/presets/python-dev/nope").auth()
                        .expect(404, "unknown preset").about(PROBLEM),
                x("GET", "/api/v1/presets/{template}/{preset}", "/api/v1/presets/Python_Dev/small").auth()
                        .expect(400, "a bad name").invalid().about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/resume", "/api/v1/presets/python-dev/small/resume").auth()
                        .expect(200, "resumed"),
                x("POST", "/api/v1/presets/{template}/{preset}/resume", "/api/v1/presets/python-dev/nope/resume").auth()
                        .expect(404, "unknown preset").about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/invalidate", "/api/v1/presets/python-dev/agent/invalidate")
                        .auth().expect(200, "invalidated"),
                x("GET", "/api/v1/presets/{template}/{preset}/activity", "/api/v1/presets/python-dev/small/activity")
                        .auth().expect(200, "activity"),
                x("GET", "/api/v1/presets/{template}/{preset}/activity", "/api/v1/presets/python-dev/office/activity?hours=2")
                        .auth().expect(200, "scheduled, 2 hours"),
                x("GET", "/api/v1/presets/{template}/{preset}/activity", "/api/v1/presets/python-dev/small/activity?hours=99")
                        .auth().expect(400, "hours out of range").invalid().about(PROBLEM),
                x("GET", "/api/v1/presets/{template}/{preset}/builds", "/api/v1/presets/python-dev/small/builds?limit=2")
                        .auth().expect(200, "a page").about(LISTS),
                x("GET", "/api/v1/presets/{template}/{preset}/builds", "/api/v1/presets/python-dev/small/builds?limit=0")
                        .auth().expect(400, "limit 0").invalid().about(PROBLEM),

                // claims
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .json("{\"owner\": \"alice\", \"parameters\": {\"dotfiles\": \"https://example.com/d.git\"}}")
                        .expect(201, "claimed").then(r -> claimed.set(read(r).get("id").asText())),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .header("Idempotency-Key", key).json("{\"owner\": \"bob\", \"name\": \"bob-small\"}")
                        .expect(201, "claimed with a key"),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .header("Idempotency-Key", key).json("{\"owner\": \"bob\"}").expect(201, "the key again: replayed")
                        .then(r -> assertThat(r.headers().firstValue("Idempotent-Replayed")).hasValue("true")),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .header("Idempotency-Key", key).json("{\"owner\": \"carol\"}").expect(409, "the key for another owner")
                        .about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/empty/claims").auth()
                        .json("{\"owner\": \"alice\"}").expect(409, "nothing ready").about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/empty/claims").auth()
                        .json("{\"owner\": \"alice\", \"wait\": \"1s\"}").expect(503, "waited 1s for nothing").about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .json("{\"owner\": \"alice\", \"colour\": \"blue\"}").expect(400, "an unknown field").invalid()
                        .about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .json("{\"owner\": \"prebuilds\"}").expect(400, "the reserved owner").invalid().about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/small/claims").auth()
                        .body("text/plain", "{\"owner\": \"alice\"}").expect(415, "not JSON").invalid().about(PROBLEM),
                x("POST", "/api/v1/presets/{template}/{preset}/claims", "/api/v1/presets/python-dev/nope/claims").auth()
                        .json("{\"owner\": \"alice\"}").expect(404, "unknown preset").about(PROBLEM),

                // workspaces
                x("GET", "/api/v1/workspaces", "/api/v1/workspaces").auth().expect(200, "every workspace").about(LISTS),
                // python-dev/agent has two prebuilds: two pages of one
                x("GET", "/api/v1/workspaces", "/api/v1/workspaces?preset=python-dev/agent&owner=prebuilds&limit=1").auth()
                        .expect(200, "a page of one").about(LISTS).then(r -> {
                            next.set(read(r).path("next").asText(null));
                            firstPage.set(read(r).path("items").path(0).path("id").asText(null));
                        }),
                x("GET", "/api/v1/workspaces", () -> {
                    assertThat(next.get()).as("next of the page before").isNotNull();
                    return "/api/v1/workspaces?preset=python-dev/agent&owner=prebuilds&limit=1&cursor="
                            + java.net.URLEncoder.encode(next.get(), UTF_8);
                }).auth().expect(200, "the next page").about(LISTS).then(r -> {
                    assertThat(read(r).path("items")).as("the second page").hasSize(1);
                    assertThat(read(r).path("items").path(0).path("id").asText()).as("the second page's workspace")
                            .isNotEqualTo(firstPage.get());
                }),
                x("GET", "/api/v1/workspaces", "/api/v1/workspaces?limit=0").auth().expect(400, "limit 0").invalid()
                        .about(PROBLEM),
                x("GET", "/api/v1/workspaces", "/api/v1/workspaces?offset=10").auth().expect(400, "offset is no parameter")
                        .invalid().about("unknown query parameters rejected, " + PROBLEM),
                x("GET", "/api/v1/workspaces/{id}", () -> "/api/v1/workspaces/" + claimed.get()).auth()
                        .expect(200, "the claimed one"),
                x("GET", "/api/v1/workspaces/{id}", "/api/v1/workspaces/" + unknownId).auth().expect(404, "unknown")
                        .about(PROBLEM),
                x("GET", "/api/v1/workspaces/{id}", "/api/v1/workspaces/not-a-uuid").auth().expect(400, "not a UUID")
                        .invalid().about(PROBLEM),
                x("GET", "/api/v1/workspaces/{id}/builds", () -> "/api/v1/workspaces/" + claimed.get() + "/builds").auth()
                        .expect(200, "its builds").about(LISTS),
                x("DELETE", "/api/v1/workspaces/{id}", () -> "/api/v1/workspaces/" + claimed.get()).auth()
                        .expect(202, "released"),
                x("DELETE", "/api/v1/workspaces/{id}", () -> "/api/v1/workspaces/" + claimed.get()).auth()
                        .expect(202, "released again: the same").about("idempotent release"),
                x("DELETE", "/api/v1/workspaces/{id}", "/api/v1/workspaces/" + agents.get(1).workspace()).auth()
                        .expect(409, "an unclaimed prebuild").about(PROBLEM),
                x("DELETE", "/api/v1/workspaces/{id}", "/api/v1/workspaces/" + unknownId).auth().expect(404, "unknown")
                        .about(PROBLEM),

                // the agent's ready call (its own token)
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/" + agents.get(0).workspace() + "/ready")
                        .header("Authorization", "Bearer " + agents.get(0).agentToken()).expect(200, "ready"),
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/" + agents.get(0).workspace() + "/ready")
                        .header("Authorization", "Bearer " + agents.get(0).agentToken()).expect(200, "ready again"),
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/" + agents.get(1).workspace() + "/ready")
                        .header("Authorization", "Bearer " + agents.get(0).agentToken()).expect(403, "another's token")
                        .about(PROBLEM),
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/" + agents.get(1).workspace() + "/ready")
                        .expect(401, "no token").invalid().about(PROBLEM),
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/" + slow.get(1).workspace() + "/ready")
                        .header("Authorization", "Bearer " + slow.get(1).agentToken()).expect(409, "its create not done")
                        .about(PROBLEM),
                x("POST", "/api/v1/workspaces/{id}/ready", "/api/v1/workspaces/nope/ready")
                        .header("Authorization", "Bearer " + agents.get(0).agentToken()).expect(400, "not a UUID").invalid()
                        .about(PROBLEM),

                // build callbacks (signed)
                signed(x("POST", "/api/v1/builds/{id}/complete", callbackPath), callbackBody).expect(200, "recorded"),
                signed(x("POST", "/api/v1/builds/{id}/complete", callbackPath), callbackBody)
                        .expect(409, "a second callback").about(PROBLEM),
                x("POST", "/api/v1/builds/{id}/complete", callbackPath).json(callbackBody)
                        .expect(401, "unsigned").invalid().about(PROBLEM),
                x("POST", "/api/v1/builds/{id}/complete", callbackPath).json(callbackBody)
                        .header("X-Warmpool-Timestamp", Long.toString(Instant.now().getEpochSecond()))
                        .header("X-Warmpool-Signature", "sha256=" + "0".repeat(64)).expect(401, "a wrong signature")
                        .about(PROBLEM),
                signed(x("POST", "/api/v1/builds/{id}/complete", "/api/v1/builds/999999/complete"), unknownBody)
                        .expect(404, "no such build").about(PROBLEM),
                signed(x("POST", "/api/v1/builds/{id}/complete", "/api/v1/builds/0x1/complete"), callbackBody)
                        .expect(400, "not a build id").invalid().about(PROBLEM)));

        // a dashboard session: reads with the cookie, and a change without X-Warmpool-Csrf is refused
        all.add(withCookie(x("GET", "/api/v1/reconciliation", "/api/v1/reconciliation"), cookie).expect(200, "with the session"));
        all.add(withCookie(x("POST", "/api/v1/reconciliation/pause", "/api/v1/reconciliation/pause"), cookie)
                .expect(403, "the session without X-Warmpool-Csrf").about(PROBLEM));
        return all;
    }

    /** Sends {@code body} as JSON signed like a receiver of the http provisioner, with a fresh timestamp. */
    private static Exchange signed(Exchange x, String body) {
        String ts = Long.toString(Instant.now().getEpochSecond());
        return x.json(body).header("X-Warmpool-Timestamp", ts)
                .header("X-Warmpool-Signature", ContractFixture.sign(ts, body.getBytes(UTF_8)));
    }

    private static Exchange withCookie(Exchange x, AtomicReference<String> cookie) {
        return x.header("Cookie", new Object() {
            @Override
            public String toString() {
                return cookie.get();
            }
        });
    }
}
