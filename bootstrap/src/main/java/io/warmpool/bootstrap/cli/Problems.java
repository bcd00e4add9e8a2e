package io.warmpool.bootstrap.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmpool.domain.definition.ValidationError;
import java.util.List;
import java.util.Map;

/**
 * The JSON error object a command prints on stderr with {@code --output json}: the fields of the API's RFC 9457
 * problem ({@code type}, {@code title}, {@code status}, {@code detail}, {@code error} — the same text as
 * {@code detail} —, {@code code}, {@code errors}), on one line. When the service answered a problem its fields pass
 * through; an answer in the older {@code {"error": …, "code": …}} shape gets the type and title of its status, one
 * that is not JSON (not the API's) {@code about:blank} and {@code "HTTP <status>"}. A
 * failure on this side has no {@code status}: {@value #USAGE} (exit 2), {@value #UNREACHABLE} (exit 4) or
 * {@value #FAILURE} (exit 1).
 */
public final class Problems {

    static final String PREFIX = "urn:warmpool:problem:";
    /** Bad usage or invalid input on the command line, in a file or in the configuration (exit 2). */
    public static final String USAGE = PREFIX + "usage";
    /** The service cannot be reached (exit 4). */
    public static final String UNREACHABLE = PREFIX + "unreachable";
    /** Anything else that failed on this side, without an answer from the service (exit 1). */
    public static final String FAILURE = PREFIX + "failure";
    /** A claim's miss, as the service types it. */
    static final String NO_PREBUILD = PREFIX + "no-prebuild";

    /** The API's problem types by status, for answers that do not carry their own (the contract's table). */
    private static final Map<Integer, String[]> BY_STATUS = Map.ofEntries(
            Map.entry(400, new String[] {"bad-request", "Bad request"}),
            Map.entry(401, new String[] {"unauthorized", "Unauthorized"}),
            Map.entry(403, new String[] {"forbidden", "Forbidden"}),
            Map.entry(404, new String[] {"not-found", "Not found"}),
            Map.entry(405, new String[] {"method-not-allowed", "Method not allowed"}),
            Map.entry(408, new String[] {"request-timeout", "Request timeout"}),
            Map.entry(409, new String[] {"conflict", "Conflict"}),
            Map.entry(413, new String[] {"payload-too-large", "Payload too large"}),
            Map.entry(415, new String[] {"unsupported-media-type", "Unsupported media type"}),
            Map.entry(425, new String[] {"too-early", "Too early"}),
            Map.entry(429, new String[] {"too-many-requests", "Too many requests"}),
            Map.entry(500, new String[] {"internal", "Internal error"}),
            Map.entry(502, new String[] {"claim-failed", "Claim failed"}),
            Map.entry(503, new String[] {"unavailable", "Service unavailable"}));

    private Problems() {
    }

    /** Bad usage or invalid input (exit 2). */
    public static ObjectNode usage(String detail) {
        return problem(USAGE, "Bad usage", detail);
    }

    /** Invalid input with every error and its place (exit 2). */
    public static ObjectNode usage(String detail, List<ValidationError> errors) {
        ObjectNode p = usage(detail);
        ArrayNode list = p.putArray("errors");
        for (ValidationError e : errors) {
            list.addObject().put("source", e.source()).put("field", e.field()).put("message", e.message());
        }
        return p;
    }

    /** A failure on this side that is neither bad usage nor an unreachable service (exit 1). */
    public static ObjectNode failure(String detail) {
        return problem(FAILURE, "Failure", detail);
    }

    /** A failed API call: the service's problem, or what kept it from answering. */
    public static ObjectNode of(ApiClient.ApiException e) {
        if (e.status() == 0) {
            return e.exitCode() == ExitCodes.UNREACHABLE ? problem(UNREACHABLE, "Service unreachable", e.getMessage())
                    : failure(e.getMessage());
        }
        boolean answered = e.body() != null && e.body().isObject();
        JsonNode body = answered ? e.body() : ApiClient.JSON.createObjectNode();
        // An answer that is not a JSON object is not the API's (a proxy's page): only its status is known.
        String[] known = answered ? BY_STATUS.get(e.status()) : null;
        String type;
        String title;
        if (body.path("type").isTextual()) {
            type = body.get("type").asText();
            title = body.path("title").isTextual() ? body.get("title").asText() : known != null ? known[1] : "HTTP " + e.status();
        } else if (ApiClient.NO_PREBUILD_AVAILABLE.equals(body.path("code").asText(null))) {
            type = NO_PREBUILD;
            title = "No prebuild available";
        } else if (e.status() == 400 && body.path("errors").isArray()) {
            type = PREFIX + "invalid-presets";
            title = "Invalid presets";
        } else if (known != null) {
            type = PREFIX + known[0];
            title = known[1];
        } else {
            type = "about:blank";
            title = "HTTP " + e.status();
        }
        String detail = body.path("detail").isTextual() ? body.get("detail").asText()
                : body.path("error").isTextual() ? body.get("error").asText() : "HTTP " + e.status();
        ObjectNode p = ApiClient.JSON.createObjectNode();
        p.put("type", type);
        p.put("title", title);
        p.put("status", body.path("status").isInt() ? body.get("status").asInt() : e.status());
        p.put("detail", detail);
        p.put("error", body.path("error").isTextual() ? body.get("error").asText() : detail);
        body.fields().forEachRemaining(f -> {
            if (!p.has(f.getKey())) {
                p.set(f.getKey(), f.getValue()); // code, errors, and whatever else the service said
            }
        });
        return p;
    }

    /** {@code {"warning": …}}: a warning on stderr beside JSON errors, so that stderr stays JSON. */
    public static ObjectNode warning(String text) {
        return ApiClient.JSON.createObjectNode().put("warning", text);
    }

    /** One line of JSON. */
    public static String line(JsonNode node) {
        try {
            return ApiClient.JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode problem(String type, String title, String detail) {
        ObjectNode p = ApiClient.JSON.createObjectNode();
        p.put("type", type);
        p.put("title", title);
        p.put("detail", detail);
        p.put("error", detail);
        return p;
    }
}
