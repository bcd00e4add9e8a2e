package io.warmpool.adapters.http.presets;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.warmpool.adapters.presets.PresetsYaml;
import io.warmpool.adapters.presets.TextInput;
import io.warmpool.adapters.http.errors.UnreadBody;
import io.warmpool.adapters.http.server.Failures;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Problem;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.domain.definition.PresetsInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /api/v1/presets[?source=NAME]}: applies a presets file, all or nothing. The body is YAML text bounded
 * by {@link TextInput#MAX_PRESETS_BYTES} (not the smaller limit of the other routes: a presets file the CLI accepts
 * must be accepted here too); a body too large or not text is refused in the shape of an invalid file, naming the
 * input.
 */
public final class PresetsUpload implements Resource {

    /** The {@code source} of a presets upload's error places when the request names none. */
    public static final String DEFAULT_SOURCE = "request";
    private static final int MAX_SOURCE_LENGTH = 200;

    private final ApplyPresetsUseCase apply;
    private final UnreadBody unreadBody;

    public PresetsUpload(ApplyPresetsUseCase apply, UnreadBody unreadBody) {
        this.apply = apply;
        this.unreadBody = unreadBody;
    }

    record AppliedView(int templates, int versionsCreated, int presetsCreated, int presetsUpdated) {
    }

    /** {@code ?dryRun=true}: what applying would change, nothing stored, and the counters an apply would answer. */
    record DryRunView(boolean dryRun, List<ChangeView> changes, int templates, int versionsCreated, int presetsCreated,
                      int presetsUpdated) {
    }

    /** One change; {@code field}, {@code from} and {@code to} are left out when they do not apply. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record ChangeView(String action, String target, String field, String from, String to) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/api/v1/presets", this::upload);
        routes.exception(TextInput.RefusedException.class, this::refused);
    }

    private void upload(Context ctx) {
        String source = source(ctx);
        if (source.isBlank() || source.length() > MAX_SOURCE_LENGTH || source.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestResponse("source must be 1 to " + MAX_SOURCE_LENGTH + " printable characters");
        }
        boolean dryRun = dryRun(ctx);
        PresetsInput input = PresetsYaml.parse(text(ctx, source), source);
        if (dryRun) {
            ApplyPresetsUseCase.Preview p = apply.preview(input);
            ApplyPresetsUseCase.Applied c = p.counts();
            Json.send(ctx, 200, new DryRunView(true, p.changes().stream()
                    .map(x -> new ChangeView(x.action(), x.target(), x.field(), x.from(), x.to())).toList(),
                    c.templates(), c.versionsCreated(), c.presetsCreated(), c.presetsUpdated()));
            return;
        }
        ApplyPresetsUseCase.Applied a = apply.apply(input);
        Json.send(ctx, 200, new AppliedView(a.templates(), a.versionsCreated(), a.presetsCreated(), a.presetsUpdated()));
    }

    private static boolean dryRun(Context ctx) {
        String text = ctx.queryParam("dryRun");
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw new BadRequestResponse("dryRun must be true or false, got '" + io.warmpool.adapters.http.web.Requests.abbreviate(text) + "'");
    }

    private static String source(Context ctx) {
        return Optional.ofNullable(ctx.queryParam("source")).orElse(DEFAULT_SOURCE);
    }

    /**
     * The body: a declared length above the limit is refused before a byte is read; a body without one is read to
     * the limit + 1 at most.
     */
    private static String text(Context ctx, String source) {
        String name = DEFAULT_SOURCE.equals(source) ? "the request body" : source;
        if (ctx.req().getContentLengthLong() > TextInput.MAX_PRESETS_BYTES) {
            throw TextInput.tooLarge(name, TextInput.MAX_PRESETS_BYTES);
        }
        try {
            return TextInput.read(ctx.req().getInputStream(), TextInput.MAX_PRESETS_BYTES, name);
        } catch (IOException e) {
            if (Failures.isBodyDeadline(e) || Failures.isClientAbort(e)) {
                throw new UncheckedIOException(e); // 408, or one FINE line: see ErrorMapping
            }
            throw new BadRequestResponse("unreadable request body");
        }
    }

    /** A refused upload: 413 or 400, with the one error naming its place like every other rejection. */
    private void refused(TextInput.RefusedException e, Context ctx) {
        boolean tooLarge = e.reason() == TextInput.RefusedException.Reason.TOO_LARGE;
        if (tooLarge) {
            // The rest of the body is not read: say that the connection ends with this answer.
            ctx.header("Connection", "close");
        } else {
            unreadBody.finish(ctx);
        }
        Json.sendProblem(ctx, Problem.of(tooLarge ? Problem.Kind.PAYLOAD_TOO_LARGE : Problem.Kind.INVALID_PRESETS,
                e.getMessage()).withErrors(List.of(new Problem.FieldError(source(ctx), "file", e.problem()))));
    }
}
