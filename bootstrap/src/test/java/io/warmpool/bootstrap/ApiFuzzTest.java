package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.bootstrap.ApiFuzzRequests.Request;
import io.warmpool.property.Property;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Bad input, REST API (SPEC §7): requests with fuzzed bodies, paths and query parameters against the real
 * {@code RestApi} on the real application services and the real PostgreSQL adapter ({@link RealApi}: embedded
 * PostgreSQL, production Guice modules, no background loop). Every request gets a success or a 4xx whose body is
 * JSON {@code {"error": …}} without a stack trace — never a 5xx — and a rejected request leaves the store exactly as
 * it was (a dump of every table before and after).
 *
 * <p>Why the real adapter rather than the application's fakes: the fakes cannot fail the way PostgreSQL does
 * (a NUL in jsonb, a constraint, an over-long value), and those failures are what turns bad input into a 500/503.
 * The test lives in bootstrap because only bootstrap may see both adapters. Seeds are fixed.
 */
class ApiFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static RealApi api() {
        return RealApi.shared();
    }

    @Test
    void anyRequestGetsSuccessOrA4xxJsonError_andARejectedOneChangesNothing() {
        Property.forAll(8201, 500, ApiFuzzRequests.anyRequest(api().prebuilds()), ApiFuzzTest::check);
    }

    @Test
    void claimBodiesAndPresetPathsOfAnyKind() {
        Property.forAll(8202, 300, ApiFuzzRequests.claims(), ApiFuzzTest::check);
    }

    @Test
    void presetUploadsOfAnyKind_areAppliedAllOrNothing() {
        Property.forAll(8203, 300, ApiFuzzRequests.presetUploads(), ApiFuzzTest::check);
    }

    @Test
    void bodiesOverTheirRoutesLimitAre413_andChangeNothing() {
        // A presets upload may be as large as a presets file (16 MiB); every other body is limited to 1 MiB.
        java.util.Map<String, Long> limits = java.util.Map.of(
                "/api/v1/presets", io.warmpool.adapters.presets.TextInput.MAX_PRESETS_BYTES,
                "/api/v1/presets/python-dev/small/claims", io.warmpool.adapters.http.RestApi.MAX_BODY_BYTES);
        limits.forEach((path, limit) -> {
            HttpResponse<String> response = check(ApiFuzzRequests.oversized(path, limit));
            assertThat(response.statusCode()).as(path).isEqualTo(413);
        });
    }

    /** Sends the request with the right token and checks the answer and, for a rejection, the store. */
    static HttpResponse<String> check(Request request) {
        RealApi api = api();
        String before = api.dump();
        String[] headers = request.contentType().isEmpty()
                ? new String[] {"Authorization", "Bearer " + RealApi.TOKEN}
                : new String[] {"Authorization", "Bearer " + RealApi.TOKEN, "Content-Type", request.contentType()};
        HttpResponse<String> response = api.send(request.method(), request.pathAndQuery(), request.body(), headers);
        int status = response.statusCode();
        assertThat(status).as("status of %s: %s", request, response.body()).isBetween(200, 499);
        if (status >= 400 && !request.method().equals("HEAD")) {
            assertJsonError(request, response);
        }
        if (status >= 400) {
            // A claim that finds nothing (409) records a claim_missed event, and only that.
            boolean claimMiss = status == 409 && request.route().endsWith("/claims");
            String after = claimMiss ? api.dumpWithoutEvents() : api.dump();
            String expected = claimMiss ? before.substring(0, before.indexOf("== events\n")) : before;
            assertThat(after).as("the store after the rejected %s (%d %s)", request, status, response.body())
                    .isEqualTo(expected);
        }
        return response;
    }

    static void assertJsonError(Object request, HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as("content type of the %d for %s: %s", response.statusCode(), request, response.body())
                .startsWith("application/problem+json");
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body() + " for " + request, e);
        }
        assertThat(body.isObject()).as("body of %s", request).isTrue();
        assertThat(body.path("error").isTextual()).as("error of %s: %s", request, body).isTrue();
        assertThat(body.path("error").asText()).isNotBlank();
        // RFC 9457: a type of ours, a title, the status, the detail (the old "error" kept beside it)
        assertThat(body.path("type").asText()).as("type of %s: %s", request, body).startsWith("urn:warmpool:problem:");
        assertThat(body.path("title").asText()).isNotBlank();
        assertThat(body.path("status").asInt()).isEqualTo(response.statusCode());
        assertThat(body.path("detail").asText()).isEqualTo(body.path("error").asText());
        assertThat(response.body()).as("no stack trace or internals for %s", request)
                .doesNotContain("Exception", "\tat ", ".java:", "io.warmpool.", "org.eclipse.", "io.javalin.",
                        "com.fasterxml.", "org.postgresql", "org.jooq", "SQLState", "select ", "insert into");
    }
}
