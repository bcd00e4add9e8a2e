package io.warmpool.adapters.http.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's JSON, read and written the same way by every resource. Records serialise in declaration order and every
 * field is always present ({@code null} when it has no value), so clients can rely on the keys; instants are ISO-8601
 * text. Reading is strict: duplicate keys and trailing tokens are malformed JSON.
 */
public final class Json {

    public static final String CONTENT_TYPE = "application/json";

    /** Thread-safe once built; shared by every route and by Javalin's own JSON mapping. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(Json.class);
    private static final byte[] FALLBACK_ERROR = ("{\"type\":\"" + Problem.Kind.INTERNAL.type() + "\",\"title\":\""
            + Problem.Kind.INTERNAL.title() + "\",\"status\":500,\"detail\":\"internal error\",\"error\":\"internal error\"}")
            .getBytes(StandardCharsets.UTF_8);

    private Json() {
    }

    /**
     * The {@code code} of a claim that found no prebuild (the CLI's exit code 3), on its problem (409, or 503 when its
     * wait ran out): the one error clients act on by code, not by text.
     */
    public static final String NO_PREBUILD_AVAILABLE = "no_prebuild_available";

    /** Answers {@code body} as JSON with {@code status}; a body that cannot be written becomes a generic 500. */
    public static void send(Context ctx, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.error("could not write a JSON response", e);
            sendProblem(ctx, Problem.of(Problem.Kind.INTERNAL, "internal error"));
            return;
        }
        ctx.status(status).contentType(CONTENT_TYPE).result(bytes);
    }

    /**
     * Answers an error: {@code problem} as {@value Problem#CONTENT_TYPE} with its status; a problem that cannot be
     * written becomes the generic 500.
     */
    public static void sendProblem(Context ctx, Problem problem) {
        byte[] bytes;
        int status = problem.status();
        try {
            bytes = MAPPER.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            LOG.error("could not write a problem response", e);
            status = 500;
            bytes = fallbackError();
        }
        ctx.status(status).contentType(Problem.CONTENT_TYPE).result(bytes);
    }

    /** The generic 500 problem ({@code internal}), for where nothing else can be written. */
    public static byte[] fallbackError() {
        return FALLBACK_ERROR.clone();
    }

    /**
     * One page of a list (API.md "Pagination"): {@code {"items": […], "next": "<cursor>" | null}}.
     *
     * @param <T> the items' view
     */
    public record PageView<T>(List<T> items, String next) {
    }

    /** Codes (statuses, reasons, phases, kinds) are lowercase on the wire, like the event types of SPEC §5. */
    public static String code(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The request body as a JSON object. @throws BadRequestResponse when it is empty, malformed or not an object */
    public static JsonNode readObject(Context ctx, String example) {
        byte[] bytes = ctx.bodyAsBytes();
        JsonNode node;
        try {
            node = bytes.length == 0 ? null : MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new BadRequestResponse("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestResponse("unreadable request body");
        }
        if (node == null || !node.isObject()) {
            throw new BadRequestResponse("the request body must be a JSON object such as " + example);
        }
        return node;
    }

    /** @throws BadRequestResponse naming the first field of {@code body} not in {@code known} */
    public static void rejectUnknownFields(JsonNode body, List<String> known) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!known.contains(field)) {
                throw new BadRequestResponse("unknown field '" + Requests.abbreviate(field) + "'; expected "
                        + String.join(", ", known));
            }
        }
    }

    /** A text field, or {@code null} when absent or {@code null}. @throws BadRequestResponse when not a string */
    public static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestResponse(field + " must be a JSON string");
        }
        return value.textValue();
    }
}
