package io.warmpool.adapters.http.builds;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Problem;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.in.CompleteBuildUseCase.CallbackRejectedException;
import io.warmpool.application.port.out.BuildQueuePort;

/**
 * {@code POST /api/v1/builds/{id}/complete} (API.md "Build callbacks"): a provisioner that answered a create or
 * delete with {@code 202 Accepted} reports its outcome here, on any replica. Not behind the API token: the body is
 * signed with the provisioner's HMAC secret (headers {@code X-Warmpool-Timestamp}, {@code X-Warmpool-Signature}),
 * which the use case verifies before it looks at the build. Answers: 200 recorded; 401 bad or missing signature,
 * stale timestamp, or signed for another build; 400 not a callback body; 404 no such build; 409 the build is not
 * awaiting a callback (a second callback, or never asynchronous); 425 with {@code Retry-After: 1} the build is still
 * with its worker (the callback overtook warmpool's recording of the 202): send it again.
 */
public final class BuildCallbackRoutes implements Resource {

    /** The route, as Javalin's pattern. */
    public static final String PATH = "/api/v1/builds/{id}/complete";
    /** The headers of the signature (the http provisioner's scheme). */
    public static final String TIMESTAMP_HEADER = "X-Warmpool-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Warmpool-Signature";

    private final CompleteBuildUseCase builds;

    public BuildCallbackRoutes(CompleteBuildUseCase builds) {
        this.builds = builds;
    }

    /** Whether {@code ctx} is a callback: such requests authenticate by signature, not by the API token. */
    public static boolean isCallback(Context ctx) {
        String path = ctx.path();
        return path.startsWith("/api/v1/builds/") && path.endsWith("/complete")
                && path.indexOf('/', "/api/v1/builds/".length()) == path.length() - "/complete".length();
    }

    record CompletedView(String build, String transition, String outcome) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(PATH, this::complete);
        routes.exception(CallbackRejectedException.class, (e, ctx) -> {
            ctx.header("Cache-Control", "no-store");
            Json.sendProblem(ctx, Problem.of(Problem.Kind.UNAUTHORIZED, "callback rejected: " + e.getMessage()));
        });
        routes.exception(BuildQueuePort.NotYetAwaitingException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            Json.sendProblem(ctx, Problem.of(Problem.Kind.TOO_EARLY, e.getMessage()));
        });
    }

    private void complete(Context ctx) {
        long id = buildId(ctx.pathParam("id"));
        CompleteBuildUseCase.Completed done = builds.complete(new CompleteBuildUseCase.Callback(id, ctx.bodyAsBytes(),
                ctx.header(TIMESTAMP_HEADER), ctx.header(SIGNATURE_HEADER)));
        Json.send(ctx, 200, new CompletedView(Long.toString(done.buildId()), done.transition(), done.outcome()));
    }

    private static long buildId(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || text.charAt(0) == '0') {
            throw new IllegalArgumentException("build id must be a positive whole number, got '"
                    + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
        }
        return Long.parseLong(text);
    }
}
