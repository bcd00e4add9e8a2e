package io.warmpool.adapters.http.reconciliation;

import io.javalin.config.RoutesConfig;
import io.warmpool.adapters.http.presets.PresetJson;
import io.warmpool.adapters.http.presets.PresetJson.PresetView;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.application.port.in.DryRun;
import io.warmpool.application.port.in.InspectUseCase;
import io.warmpool.application.port.in.PauseReconciliationUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase.LastPass;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.domain.PresetId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reconciliation (API.md): its status (every preset, the last pass), the dry-run plan, and pause / resume.
 */
public final class ReconciliationRoutes implements Resource {

    private final InspectUseCase inspect;
    private final PauseReconciliationUseCase pause;
    private final PresetHistoryUseCase history;

    public ReconciliationRoutes(InspectUseCase inspect, PauseReconciliationUseCase pause, PresetHistoryUseCase history) {
        this.inspect = inspect;
        this.pause = pause;
        this.history = history;
    }

    record StatusView(Instant at, boolean paused, int queuedCreates, List<PresetView> presets,
                      Map<String, String> failures, LastPassView lastPass) {
    }

    record LastPassView(Instant startedAt, long durationMs, String replica, int presets, int creates, int deletes,
                        int cancels, int failures) {
    }

    record PlanView(Instant at, boolean paused, List<PresetPlanView> presets, Map<String, String> failures) {
    }

    /** One preset's dry run; {@code autoscale} says why its desired count is what it is (R13), or is null. */
    record PresetPlanView(String preset, String version, List<Object> actions, PresetJson.AutoscaleView autoscale) {
    }

    record PausedView(boolean paused) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/status", ctx -> Json.send(ctx, 200, status(inspect.status(), history.lastPass())));
        routes.get("/api/v1/plan", ctx -> Json.send(ctx, 200, plan(inspect.plan())));
        routes.get("/api/v1/reconciliation", ctx -> Json.send(ctx, 200, new PausedView(pause.isPaused())));
        routes.post("/api/v1/reconciliation/pause", ctx -> {
            pause.pause();
            Json.send(ctx, 200, new PausedView(true));
        });
        routes.post("/api/v1/reconciliation/resume", ctx -> {
            pause.resume();
            Json.send(ctx, 200, new PausedView(false));
        });
    }

    private static StatusView status(StatusReport report, Optional<LastPass> lastPass) {
        return new StatusView(report.at(), report.paused(), report.queuedCreates(),
                report.presets().stream().map(PresetJson::preset).toList(), failures(report.failures()),
                lastPass.map(p -> new LastPassView(p.startedAt(), p.duration().toMillis(), p.replica(), p.presets(),
                        p.creates(), p.deletes(), p.cancels(), p.failures())).orElse(null));
    }

    private static PlanView plan(DryRun dryRun) {
        return new PlanView(dryRun.at(), dryRun.paused(), dryRun.presets().stream()
                .map(p -> new PresetPlanView(p.preset().ref().toString(), p.preset().version(),
                        PresetJson.actions(p.actions()), PresetJson.autoscale(p.sizing()))).toList(),
                failures(dryRun.failures()));
    }

    /** Keyed by the full preset id ({@code template@version/preset}), sorted, so the output is stable. */
    private static Map<String, String> failures(Map<PresetId, String> failures) {
        Map<String, String> out = new TreeMap<>();
        failures.forEach((id, why) -> out.put(id.toString(), why));
        return out;
    }
}
