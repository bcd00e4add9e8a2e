package io.warmpool.adapters.http.web;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters each route defines (API.md "Conventions"); any other is answered 400 ({@code bad-request})
 * naming it, on every route, so that a misspelt {@code limit} or an {@code offset} this API does not have is never
 * silently ignored. A route not listed here defines none. Checked once the route is matched (after authentication).
 */
public final class QueryParameters {

    /** {@code METHOD path-pattern} → the parameters the route reads. */
    private static final Map<String, Set<String>> DEFINED = Map.of(
            "GET /", Set.of("code", "token"),
            "GET /api/v1/workspaces", Set.of("preset", "owner", "limit", "cursor"),
            "GET /api/v1/workspaces/{id}/builds", Set.of("limit", "cursor"),
            "GET /api/v1/presets/{template}/{preset}/activity", Set.of("hours"),
            "GET /api/v1/presets/{template}/{preset}/builds", Set.of("limit", "cursor"),
            "POST /api/v1/presets", Set.of("source", "dryRun"));

    private QueryParameters() {
    }

    /** The parameters {@code method} {@code path} (Javalin's pattern) defines; empty for most routes. */
    public static Set<String> defined(String method, String path) {
        return DEFINED.getOrDefault(method + " " + path, Set.of());
    }

    /** The before-matched handler of every route. @throws BadRequestResponse naming every undefined parameter */
    public static void check(Context ctx) {
        if (ctx.queryParamMap().isEmpty()) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) {
            return;
        }
        String method = endpoint.method.name();
        Set<String> defined = defined(method.equals("HEAD") ? "GET" : method, endpoint.path);
        List<String> unknown = new ArrayList<>();
        for (String name : new TreeSet<>(ctx.queryParamMap().keySet())) {
            if (!defined.contains(name)) {
                unknown.add("'" + Requests.abbreviate(name) + "'");
            }
        }
        if (!unknown.isEmpty()) {
            throw new BadRequestResponse("unknown query parameter" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + (defined.isEmpty() ? ": this route takes none"
                    : "; expected " + String.join(", ", new TreeSet<>(defined))));
        }
    }
}
