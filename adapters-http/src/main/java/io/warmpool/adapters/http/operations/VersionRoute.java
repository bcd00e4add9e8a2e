package io.warmpool.adapters.http.operations;

import io.javalin.config.RoutesConfig;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import java.util.Objects;

/**
 * {@code GET /api/v1/version} (API.md "Version"): the version and git revision of the build that answers, as
 * bootstrap read them (behind the token, like every {@code /api} route).
 */
public final class VersionRoute implements Resource {

    /** The route. */
    public static final String PATH = "/api/v1/version";

    private final VersionView version;

    /**
     * @param version  e.g. {@code 0.1.0-SNAPSHOT}
     * @param revision the 12-character git abbreviation (with {@code -dirty}), or {@code unknown}
     */
    public VersionRoute(String version, String revision) {
        this.version = new VersionView(Objects.requireNonNull(version, "version"),
                Objects.requireNonNull(revision, "revision"));
    }

    record VersionView(String version, String revision) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get(PATH, ctx -> Json.send(ctx, 200, version));
    }
}
