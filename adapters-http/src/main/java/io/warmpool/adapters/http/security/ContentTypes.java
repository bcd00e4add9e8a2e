package io.warmpool.adapters.http.security;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Requests;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A body sent to {@code /api/} must say what it is (issue 13): JSON routes take {@code application/json} (a
 * {@code charset} parameter allowed), the presets upload YAML (or JSON, which is YAML); else {@code 415}. Besides
 * keeping parsers to what they expect, a cross-origin page cannot send {@code application/json} without a preflight.
 * A POST without a body (pause, resume, invalidate, sign-in codes) needs no type; a claim always has one.
 */
public final class ContentTypes {

    private static final String PRESETS = "/api/v1/presets";
    private static final List<String> YAML_TYPES = List.of("application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "text/plain", Json.CONTENT_TYPE);

    private ContentTypes() {
    }

    /** The before-handler of {@code /api/*}. @throws HttpResponseException 415 */
    public static void check(Context ctx) {
        String method = ctx.method().name();
        if (!(method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            return;
        }
        boolean presets = ctx.path().equals(PRESETS);
        if (!Requests.hasBody(ctx) && !ctx.path().endsWith("/claims")) {
            return;
        }
        String type = Optional.ofNullable(ctx.header("Content-Type")).orElse("");
        String mediaType = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        List<String> accepted = presets ? YAML_TYPES : List.of(Json.CONTENT_TYPE);
        if (!accepted.contains(mediaType)) {
            throw new HttpResponseException(415, "unsupported Content-Type " + (type.isBlank() ? "(none)" : "'"
                    + Requests.abbreviate(type) + "'") + ": send " + (presets ? "Content-Type: application/yaml"
                    : "Content-Type: " + Json.CONTENT_TYPE));
        }
    }
}
