package io.warmpool.adapters.http.presets;

import static io.warmpool.adapters.http.web.Json.code;
import static io.warmpool.adapters.http.web.Requests.presetRef;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.OperatePresetsUseCase;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.DefinitionView;
import io.warmpool.domain.plan.PresetPlan;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Presets (API.md "Presets and status"): every preset, one preset, and an operator's resume and invalidate. The
 * upload of a presets file is {@link PresetsUpload}, a preset's recent past {@link PresetHistoryRoutes}.
 */
public final class PresetRoutes implements Resource {

    private final InspectUseCase inspect;
    private final OperatePresetsUseCase operate;
    private final Clock clock;

    /** @param clock the service clock: when an {@code invalidate} took effect */
    public PresetRoutes(InspectUseCase inspect, OperatePresetsUseCase operate, Clock clock) {
        this.inspect = inspect;
        this.operate = operate;
        this.clock = clock;
    }

    record ResumedView(String preset, String from, String to, int consecutiveFailures) {
    }

    record InvalidatedView(String preset, String version, Instant invalidatedAt) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/presets", ctx -> Json.send(ctx, 200,
                inspect.status().presets().stream().map(PresetJson::preset).toList()));
        routes.get("/api/v1/presets/{template}/{preset}", this::one);
        routes.post("/api/v1/presets/{template}/{preset}/resume", this::resume);
        routes.post("/api/v1/presets/{template}/{preset}/invalidate", this::invalidate);
    }

    /** One PresetView and its applied {@code definition} (parameters and prebuild policy, as the file writes them). */
    private void one(Context ctx) {
        PresetPlan plan = inspect.preset(presetRef(ctx));
        ObjectNode view = Json.MAPPER.valueToTree(PresetJson.preset(plan));
        view.set("definition", Json.MAPPER.valueToTree(inspect.definition(plan.state().id())
                .map(DefinitionView::of).orElse(null)));
        Json.send(ctx, 200, view);
    }

    private void resume(Context ctx) {
        PresetRef ref = presetRef(ctx);
        FailureTransition t = operate.resume(ref);
        Json.send(ctx, 200, new ResumedView(ref.toString(), code(t.before().status()), code(t.after().status()),
                t.after().consecutiveFailures()));
    }

    private void invalidate(Context ctx) {
        PresetId id = operate.invalidate(presetRef(ctx));
        // The use case does not return the instant it stored; the service clock read right after the call is
        // when the invalidation is certainly in effect (at most a few milliseconds after the stored instant).
        Json.send(ctx, 200, new InvalidatedView(id.ref().toString(), id.version(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS)));
    }
}
