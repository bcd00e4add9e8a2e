package io.warmpool.adapters.http.workspaces;

import static io.warmpool.adapters.http.web.Requests.workspaceId;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UnauthorizedResponse;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.MarkReadyUseCase;
import io.warmpool.domain.WorkspaceId;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/workspaces/{id}/ready} (SPEC R10 agent): a workspace's agent says it is ready, with
 * {@code Authorization: Bearer <its agent token>} — valid for this route of this workspace only; the API token is
 * not asked for here (nor accepted). 200 ready (again: idempotent), 401 no or unknown token, 403 another
 * workspace's token, 409 not provisioned (its create not finished) or failed, unhealthy, deleting, deleted.
 */
public final class AgentReadyRoute implements Resource {

    private static final Pattern PATH = Pattern.compile("/api/v1/workspaces/[^/]+/ready");
    private static final String BEARER = "bearer ";

    private final MarkReadyUseCase ready;

    public AgentReadyRoute(MarkReadyUseCase ready) {
        this.ready = Objects.requireNonNull(ready, "ready");
    }

    /** Whether a request is for this route: authenticated by it, not by the API token. */
    public static boolean matches(Context ctx) {
        return ctx.method().name().equals("POST") && PATH.matcher(ctx.path()).matches();
    }

    record ReadyView(String id, String phase) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/api/v1/workspaces/{id}/ready", this::ready);
    }

    private void ready(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        String header = ctx.header("Authorization");
        String bearer = header != null && header.length() > BEARER.length()
                && header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)
                ? header.substring(BEARER.length()).trim() : null;
        if (bearer == null) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool-agent\"");
            throw new UnauthorizedResponse("missing agent token; send Authorization: Bearer <agent_token>");
        }
        WorkspaceId id = workspaceId(ctx);
        switch (ready.markReady(id, bearer)) {
            case READY, ALREADY_READY -> Json.send(ctx, 200, new ReadyView(id.text(), "ready"));
            case UNAUTHENTICATED -> {
                ctx.header("WWW-Authenticate", "Bearer realm=\"warmpool-agent\", error=\"invalid_token\"");
                throw new UnauthorizedResponse("invalid agent token");
            }
            case FORBIDDEN -> throw new HttpResponseException(403, "this agent token is another workspace's");
            case CONFLICT -> throw new HttpResponseException(409, "workspace " + id.text()
                    + " cannot become ready: its create has not finished, or it failed or is being deleted");
        }
    }
}
