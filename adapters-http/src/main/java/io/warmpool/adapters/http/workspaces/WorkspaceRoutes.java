package io.warmpool.adapters.http.workspaces;

import static io.warmpool.adapters.http.web.Requests.workspaceId;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Requests;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.Build;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.Page;
import io.warmpool.application.port.in.Workspace;
import io.warmpool.application.port.in.ReleaseWorkspaceUseCase;
import io.warmpool.domain.Names;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.WorkspaceId;

/** Workspaces (API.md "Workspaces"): list, one, its builds, and release (delete) a claimed one. */
public final class WorkspaceRoutes implements Resource {

    /** {@code limit} of {@code GET /api/v1/workspaces} when none is given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest {@code limit} of {@code GET /api/v1/workspaces} and of a workspace's builds. */
    public static final int MAX_LIMIT = 1000;
    /** {@code limit} of {@code GET /api/v1/workspaces/{id}/builds} when none is given. */
    public static final int DEFAULT_BUILDS = 100;

    private final InspectUseCase inspect;
    private final ReleaseWorkspaceUseCase release;

    public WorkspaceRoutes(InspectUseCase inspect, ReleaseWorkspaceUseCase release) {
        this.inspect = inspect;
        this.release = release;
    }

    record ReleasedView(String released) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/workspaces", this::list);
        routes.get("/api/v1/workspaces/{id}", ctx -> Json.send(ctx, 200,
                WorkspaceJson.workspace(inspect.workspace(workspaceId(ctx)))));
        routes.get("/api/v1/workspaces/{id}/builds", ctx -> {
            WorkspaceId id = workspaceId(ctx);
            int limit = Requests.intParam(ctx, "limit", DEFAULT_BUILDS, 1, MAX_LIMIT);
            Page<Build> page = inspect.builds(id, Requests.cursor(ctx), limit);
            Json.send(ctx, 200, new Json.PageView<>(page.items().stream().map(WorkspaceJson::build).toList(), page.next()));
        });
        routes.delete("/api/v1/workspaces/{id}", ctx -> {
            WorkspaceId id = workspaceId(ctx);
            release.release(id);
            Json.send(ctx, 202, new ReleasedView(id.text()));
        });
    }

    private void list(Context ctx) {
        String presetText = ctx.queryParam("preset");
        PresetRef preset = presetText == null ? null : PresetRef.parse(presetText);
        String owner = ctx.queryParam("owner");
        if (owner != null) {
            Names.requireValid("owner", owner);
        }
        int limit = Requests.intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Page<Workspace> page = inspect.workspaces(preset, owner, Requests.cursor(ctx), limit);
        Json.send(ctx, 200, new Json.PageView<>(page.items().stream().map(WorkspaceJson::workspace).toList(),
                page.next()));
    }
}
