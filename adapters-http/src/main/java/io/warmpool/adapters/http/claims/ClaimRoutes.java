package io.warmpool.adapters.http.claims;

import static io.warmpool.adapters.http.web.Requests.presetRef;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.warmpool.adapters.http.server.LongRequests;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Problem;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.ClaimedWorkspace;
import io.warmpool.domain.PresetRef;
import io.javalin.http.BadRequestResponse;
import io.warmpool.domain.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code POST /api/v1/presets/{template}/{preset}/claims} (SPEC A3): hands the oldest eligible prebuild to a user,
 * 201 with the workspace and its outputs, or 409 "no prebuilt workspace available". An {@code Idempotency-Key}
 * header (SPEC R12) makes the claim idempotent: the same key within 24 h answers the same 201 and body again
 * (with {@code Idempotent-Replayed: true}); the key with another preset or owner is a 409.
 *
 * <p>With {@code "wait": "2m"} (SPEC R12, at most 10m) a claim that finds nothing eligible waits for a prebuild
 * in its turn; it holds no server thread meanwhile (Javalin's {@code ctx.future}: the request is suspended and
 * answered from the waiting claims' thread). Timed out → 503 "no prebuilt workspace available" with
 * {@code Retry-After}; the preset's queue already full → 429. {@code wait} with an {@code Idempotency-Key} → 400.
 *
 * <p>{@code "parameters": {"k": "v"}} (SPEC R12) are the claim's own parameters, passed to the provisioner's claim
 * transition; with a claim transition the answer comes after the handoff, with the handoff's outputs merged over the
 * create's, and a handoff that failed twice (or failed with no other prebuild to try) is a 502 naming the failure.
 */
public final class ClaimRoutes implements Resource {

    /** The request header carrying the client's idempotency key. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The response header set on an answer replayed for an idempotency key. */
    public static final String REPLAYED = "Idempotent-Replayed";

    private static final List<String> FIELDS = List.of("owner", "name", "wait", "parameters");

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
        JsonNode body = Json.readObject(ctx, "{\"owner\":\"alice\",\"name\":\"my-workspace\",\"wait\":\"2m\","
                + "\"parameters\":{\"dotfiles\":\"https://example.com/dotfiles\"}}");
        Json.rejectUnknownFields(body, FIELDS);
        String owner = Json.optionalText(body, "owner");
        String name = Json.optionalText(body, "name");
        Optional<Duration> wait = Optional.ofNullable(Json.optionalText(body, "wait")).map(ClaimRoutes::waitDuration);
        Map<String, String> parameters = parameters(body);
        ClaimCommand command = new ClaimCommand(ref, owner, Optional.ofNullable(name), idempotencyKey(ctx)).withMaxWait(wait)
                .withParameters(parameters);
        // Without wait and without a claim transition the future is done before this returns (one claim on this
        // thread, the benchmarked path); with a handoff the request is suspended until the provisioner answers.
        CompletableFuture<ClaimPrebuildUseCase.Attempt> answer = claims.claimWaiting(command);
        if (answer.isDone()) {
            respond(ctx, ref, answer.join());
            return;
        }
        wait.ifPresent(w -> LongRequests.mayTake(ctx, w));
        ctx.future(() -> answer.thenAccept(attempt -> respond(ctx, ref, attempt)));
    }

    /** {@code parameters}: an object of text values (checked further by the command); absent or null is none. */
    private static Map<String, String> parameters(JsonNode body) {
        JsonNode node = body.get("parameters");
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new BadRequestResponse("parameters must be an object of text values, e.g. {\"dotfiles\": \"https://…\"}, got "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        Map<String, String> out = new TreeMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (!e.getValue().isTextual()) {
                throw new BadRequestResponse("parameters." + e.getKey() + " must be text, got "
                        + e.getValue().getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " (quote numbers and booleans)");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** {@code wait} as a duration; 400 naming the field when it is not one or is out of range. */
    private static Duration waitDuration(String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("wait: " + e.getMessage());
        }
        if (d.isNegative() || d.isZero() || d.compareTo(ClaimCommand.MAX_WAIT) > 0) {
            throw new BadRequestResponse("wait must be a positive duration of at most 10m, got '" + text + "'");
        }
        return d;
    }

    private static void respond(Context ctx, PresetRef ref, ClaimPrebuildUseCase.Attempt attempt) {
        if (attempt instanceof ClaimPrebuildUseCase.Claimed claimed) {
            sendClaimed(ctx, claimed);
        } else if (attempt instanceof ClaimPrebuildUseCase.Full full) {
            Json.sendProblem(ctx, Problem.of(Problem.Kind.TOO_MANY_REQUESTS, "too many claims are waiting for " + ref + " (at most "
                    + full.limit() + ", --max-claim-waiters-per-preset); try again later or claim without wait"));
        } else if (attempt instanceof ClaimPrebuildUseCase.TimedOut timedOut) {
            ctx.header("Retry-After", Long.toString(Math.max(1, timedOut.retryAfter().toSeconds())));
            Json.sendProblem(ctx, Problem.of(Problem.Kind.NO_PREBUILD, 503, "no prebuilt workspace available for " + ref
                    + " within " + Durations.format(timedOut.waited().truncatedTo(ChronoUnit.SECONDS)))
                    .withCode(Json.NO_PREBUILD_AVAILABLE));
        } else if (attempt instanceof ClaimPrebuildUseCase.HandoffFailed failed) {
            Json.sendProblem(ctx, Problem.of(Problem.Kind.CLAIM_FAILED, "claim handoff failed for " + ref + " after " + failed.attempts()
                    + (failed.attempts() == 1 ? " prebuild" : " prebuilds") + " (deleted as CLAIM_FAILED): " + failed.error()));
        } else {
            // Not waiting (a miss is only answered here when the claim did not ask to wait).
            Json.sendProblem(ctx, Problem.of(Problem.Kind.NO_PREBUILD, "no prebuilt workspace available for " + ref)
                    .withCode(Json.NO_PREBUILD_AVAILABLE));
        }
    }

    private static void sendClaimed(Context ctx, ClaimPrebuildUseCase.Claimed claimed) {
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
