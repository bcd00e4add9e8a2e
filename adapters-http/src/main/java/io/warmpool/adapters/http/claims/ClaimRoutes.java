package io.warmpool.adapters.http.claims;

import static io.warmpool.adapters.http.web.Requests.presetRef;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.ClaimedWorkspace;
import io.warmpool.domain.PresetRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code POST /api/v1/presets/{template}/{preset}/claims} (SPEC A3): hands the oldest eligible prebuild to a user,
 * 201 with the workspace and its outputs, or 409 "no prebuilt workspace available".
 */
public final class ClaimRoutes implements Resource {

    private static final List<String> FIELDS = List.of("owner", "name");

    private final ClaimPrebuildUseCase claims;

    public ClaimRoutes(ClaimPrebuildUseCase claims) {
        this.claims = claims;
    }

    record ClaimedView(String id, String name, String owner, String preset, String version, Instant createdAt,
                       Instant claimedAt, Map<String, String> outputs) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/api/v1/presets/{template}/{preset}/claims", this::claim);
    }

    private void claim(Context ctx) {
        PresetRef ref = presetRef(ctx);
        JsonNode body = Json.readObject(ctx, "{\"owner\":\"alice\",\"name\":\"my-workspace\"}");
        Json.rejectUnknownFields(body, FIELDS);
        String owner = Json.optionalText(body, "owner");
        String name = Json.optionalText(body, "name");
        ClaimPrebuildUseCase.Attempt attempt = claims.claim(new ClaimCommand(ref, owner, Optional.ofNullable(name)));
        if (!(attempt instanceof ClaimPrebuildUseCase.Claimed claimed)) {
            throw new HttpResponseException(409, "no prebuilt workspace available for " + ref);
        }
        ClaimedWorkspace w = claimed.workspace();
        Json.send(ctx, 201, new ClaimedView(w.id().text(), w.name(), w.owner(), w.preset().ref().toString(),
                w.preset().version(), w.createdAt(), w.claimedAt(), new TreeMap<>(w.outputs())));
    }
}
