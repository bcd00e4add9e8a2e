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
 * 201 with the workspace and its outputs, or 409 "no prebuilt workspace available". An {@code Idempotency-Key}
 * header (SPEC R12) makes the claim idempotent: the same key within 24 h answers the same 201 and body again
 * (with {@code Idempotent-Replayed: true}); the key with another preset or owner is a 409.
 */
public final class ClaimRoutes implements Resource {

    /** The request header carrying the client's idempotency key. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The response header set on an answer replayed for an idempotency key. */
    public static final String REPLAYED = "Idempotent-Replayed";

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
        ClaimPrebuildUseCase.Attempt attempt = claims.claim(new ClaimCommand(ref, owner, Optional.ofNullable(name),
                idempotencyKey(ctx)));
        if (!(attempt instanceof ClaimPrebuildUseCase.Claimed claimed)) {
            throw new HttpResponseException(409, "no prebuilt workspace available for " + ref);
        }
        ClaimedWorkspace w = claimed.workspace();
        if (claimed.replayed()) {
            ctx.header(REPLAYED, "true");
        }
        Json.send(ctx, 201, new ClaimedView(w.id().text(), w.name(), w.owner(), w.preset().ref().toString(),
                w.preset().version(), w.createdAt(), w.claimedAt(), new TreeMap<>(w.outputs())));
    }

    /** The {@code Idempotency-Key} header, if sent: once, and valid ({@link ClaimCommand#requireValidIdempotencyKey}). */
    private static Optional<String> idempotencyKey(Context ctx) {
        List<String> values = java.util.Collections.list(ctx.req().getHeaders(IDEMPOTENCY_KEY));
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(IDEMPOTENCY_KEY + " must be sent at most once, got " + values.size()
                    + " values");
        }
        return Optional.of(ClaimCommand.requireValidIdempotencyKey(values.get(0)));
    }
}
