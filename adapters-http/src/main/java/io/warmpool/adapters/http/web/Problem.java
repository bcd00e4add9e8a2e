package io.warmpool.adapters.http.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Every error body of the API: an RFC 9457 problem, sent as {@value #CONTENT_TYPE} (API.md "Errors").
 * {@code type} is {@code urn:warmpool:problem:<slug>}, {@code title} fixed per type, {@code status} the HTTP status,
 * {@code detail} the specific message, {@code error} the same text as {@code detail} (kept one release for clients of
 * the old {@code {"error": …}}), {@code code} a machine code where one exists (the claim miss's
 * {@code no_prebuild_available}), {@code errors} every field error of an invalid input with its place. {@code code}
 * and {@code errors} are left out when they do not apply.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String error, String code,
                      List<FieldError> errors) {

    /** The media type of every error response (RFC 9457). */
    public static final String CONTENT_TYPE = "application/problem+json";
    /** The prefix of every problem type this service defines. */
    public static final String TYPE_PREFIX = "urn:warmpool:problem:";

    /** One error of an invalid input, with its place ({@code source} is {@code NAME:LINE} in a presets file). */
    public record FieldError(String source, String field, String message) {
    }

    /** The problem types: slug, fixed title, and the status they are usually answered with. */
    public enum Kind {
        BAD_REQUEST("bad-request", "Bad request", 400),
        INVALID_PRESETS("invalid-presets", "Invalid presets", 400),
        UNAUTHORIZED("unauthorized", "Unauthorized", 401),
        FORBIDDEN("forbidden", "Forbidden", 403),
        NOT_FOUND("not-found", "Not found", 404),
        METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
        REQUEST_TIMEOUT("request-timeout", "Request timeout", 408),
        CONFLICT("conflict", "Conflict", 409),
        PAYLOAD_TOO_LARGE("payload-too-large", "Payload too large", 413),
        UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 415),
        MISDIRECTED_REQUEST("misdirected-request", "Misdirected request", 421),
        TOO_EARLY("too-early", "Too early", 425),
        TOO_MANY_REQUESTS("too-many-requests", "Too many requests", 429),
        NO_PREBUILD("no-prebuild", "No prebuilt workspace available", 409),
        CLAIM_FAILED("claim-failed", "Claim handoff failed", 502),
        UNAVAILABLE("unavailable", "Service unavailable", 503),
        INTERNAL("internal", "Internal error", 500);

        private final String slug;
        private final String title;
        private final int status;

        Kind(String slug, String title, int status) {
            this.slug = slug;
            this.title = title;
            this.status = status;
        }

        public String slug() {
            return slug;
        }

        public String type() {
            return TYPE_PREFIX + slug;
        }

        public String title() {
            return title;
        }

        public int status() {
            return status;
        }

        /** The generic kind of an HTTP status (not the specific ones: invalid-presets, no-prebuild, claim-failed). */
        static Kind forStatus(int status) {
            return Arrays.stream(values())
                    .filter(k -> k.status == status && k != INVALID_PRESETS && k != NO_PREBUILD && k != CLAIM_FAILED)
                    .findFirst().orElse(null);
        }
    }

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        errors = errors == null ? null : List.copyOf(errors);
    }

    /** A problem of {@code kind} with its usual status. */
    public static Problem of(Kind kind, String detail) {
        return of(kind, kind.status(), detail);
    }

    /** A problem of {@code kind} answered with another status (the claim miss after a wait: no-prebuild, 503). */
    public static Problem of(Kind kind, int status, String detail) {
        String text = detail == null || detail.isBlank() ? kind.title().toLowerCase(Locale.ROOT) : detail;
        return new Problem(kind.type(), kind.title(), status, text, text, null, null);
    }

    /**
     * The generic problem of an HTTP status: its kind, or for a status no kind names (what Jetty itself rejects:
     * 414, 431, 505…) a type made of its reason phrase, e.g. {@code urn:warmpool:problem:uri-too-long}.
     */
    public static Problem forStatus(int status, String detail) {
        Kind kind = Kind.forStatus(status);
        if (kind != null) {
            return of(kind, detail);
        }
        String reason = HttpStatus.forStatus(status).getMessage();
        if (reason == null || reason.isBlank() || reason.equalsIgnoreCase("unknown")) {
            reason = status >= 500 ? "Internal error" : "Bad request";
        }
        String slug = reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        String text = detail == null || detail.isBlank() ? reason.toLowerCase(Locale.ROOT) : detail;
        return new Problem(TYPE_PREFIX + slug, reason, status, text, text, null, null);
    }

    /** This problem with a machine {@code code}. */
    public Problem withCode(String newCode) {
        return new Problem(type, title, status, detail, error, newCode, errors);
    }

    /** This problem with its field errors. */
    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, error, code, fieldErrors);
    }
}
