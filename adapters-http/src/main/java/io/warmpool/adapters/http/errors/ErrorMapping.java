package io.warmpool.adapters.http.errors;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.warmpool.adapters.http.server.BodyDeadline;
import io.warmpool.adapters.http.server.Failures;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Problem;
import io.warmpool.adapters.http.web.Requests;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.domain.definition.InvalidDefinitionException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure answered alike: an RFC 9457 problem ({@link Problem}, {@code application/problem+json}) with a
 * fitting status, never a stack trace or an exception
 * class (SPEC §7). Bad input is 400, a missing thing 404, a conflict 409, a store outage 503 (one WARNING line each),
 * a body that did not arrive in time 408; a client that went away mid-request is one FINE line; anything else is
 * logged here and answered with a generic 500. What Javalin or Jetty reject themselves reads the same.
 */
public final class ErrorMapping {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private final UnreadBody unreadBody;
    private final Duration bodyTimeout;

    public ErrorMapping(UnreadBody unreadBody, Duration bodyTimeout) {
        this.unreadBody = unreadBody;
        this.bodyTimeout = bodyTimeout;
    }

    /** Installs the exception handlers, the handler of errors Javalin cannot route, and Jetty's error handler. */
    public void installIn(JavalinConfig config) {
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        config.router.javaLangErrorHandler((res, error) -> {
            LOG.error("error while serving a request", error);
            try {
                res.setStatus(500);
                res.setContentType(Problem.CONTENT_TYPE);
                res.getOutputStream().write(Json.fallbackError());
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not write the error response", e);
            }
        });
        var routes = config.routes;
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), describe(e, ctx)));
        routes.exception(InvalidDefinitionException.class, (e, ctx) -> {
            unreadBody.finish(ctx);
            Json.sendProblem(ctx, Problem.of(Problem.Kind.INVALID_PRESETS, "invalid presets").withErrors(e.errors().stream()
                    .map(v -> new Problem.FieldError(v.source(), v.field(), v.message())).toList()));
        });
        routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        routes.exception(NotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ConflictException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            // An outage fails every request: one line each at WARNING, the driver's cause (whose text we do not
            // control) only at FINE.
            LOG.warn("store unavailable during " + ctx.method() + " " + ctx.path() + ": " + e.getMessage());
            LOG.debug("store unavailable: cause", e.getCause());
            // The port promises this message carries no SQL or secrets (StoreUnavailableException's contract).
            error(ctx, 503, e.getMessage());
        });
        routes.exception(Exception.class, this::unexpected);
    }

    private void unexpected(Exception e, Context ctx) {
        if (Failures.isBodyDeadline(e)) {
            String message = "request body not received within " + BodyDeadline.describe(bodyTimeout);
            LOG.atDebug().log(() -> ctx.method() + " " + ctx.path() + ": " + message + "; connection closed");
            ctx.header("Connection", "close");
            Json.sendProblem(ctx, Problem.of(Problem.Kind.REQUEST_TIMEOUT, message));
            return;
        }
        if (Failures.isClientAbort(e)) {
            // The client went away mid-request: nothing to answer and nothing wrong here. One line, at FINE.
            LOG.atDebug().log(() -> "client aborted " + ctx.method() + " " + ctx.path() + ": " + Failures.rootMessage(e));
            ctx.header("Connection", "close");
            Json.sendProblem(ctx, Problem.of(Problem.Kind.BAD_REQUEST,
                    "request body incomplete: the client closed the connection"));
            return;
        }
        LOG.error("unexpected failure during " + ctx.method() + " " + ctx.path(), e);
        error(ctx, 500, "internal error; see the service log");
    }

    private void error(Context ctx, int status, String message) {
        unreadBody.finish(ctx);
        Json.sendProblem(ctx, Problem.forStatus(status, message == null || message.isBlank()
                ? HttpStatus.forStatus(status).getMessage().toLowerCase(Locale.ROOT) : message));
    }

    /** Our own wording for what Javalin itself rejects, so every error reads alike. */
    private static String describe(HttpResponseException e, Context ctx) {
        String route = ctx.method() + " " + Requests.abbreviate(ctx.path());
        return switch (e.getStatus()) {
            case 404 -> "no such route: " + route;
            case 405 -> "method not allowed: " + route;
            case 413 -> "request body larger than " + Requests.MAX_BODY_BYTES + " bytes";
            default -> e.getMessage();
        };
    }
}
