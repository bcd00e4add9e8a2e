package io.warmpool.adapters.http.presets;

import static io.warmpool.adapters.http.web.Requests.presetRef;

import io.javalin.config.RoutesConfig;
import io.warmpool.adapters.http.web.Json;
import io.warmpool.adapters.http.web.Requests;
import io.warmpool.adapters.http.web.Resource;
import io.warmpool.adapters.http.workspaces.WorkspaceJson;
import io.warmpool.application.port.in.Page;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/** A preset's recent past (API.md): its activity (schedule, claims, pool samples) and its latest builds. */
public final class PresetHistoryRoutes implements Resource {

    /** {@code limit} of a preset's builds when none is given. */
    public static final int DEFAULT_BUILDS = 20;
    /** {@code hours} of a preset's activity when none is given. */
    public static final int DEFAULT_HISTORY_HOURS = 6;

    private final PresetHistoryUseCase history;

    public PresetHistoryRoutes(PresetHistoryUseCase history) {
        this.history = history;
    }

    record ActivityView(String preset, String version, Instant at, String timezone, LocalDate today,
                        List<SpanView> schedule, ClaimsView claims, SamplesView samples) {
    }

    record SpanView(String from, String to, int instances, String cron) {
    }

    record ClaimsView(Instant since, long served, long missed) {
    }

    record SamplesView(Instant since, List<SampleView> points) {
    }

    record SampleView(Instant at, int desired, int eligible, int starting, int failed) {
    }

    record PresetBuildView(String workspace, long id, String transition, String status, String reason, int attempt,
                           Instant createdAt, Instant startedAt, Instant finishedAt, String errorCode, String error,
                           String log, Instant awaitingCallbackUntil) {
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/presets/{template}/{preset}/activity", ctx -> {
            int hours = Requests.intParam(ctx, "hours", DEFAULT_HISTORY_HOURS, 1,
                    (int) PresetHistoryUseCase.MAX_HISTORY.toHours());
            Json.send(ctx, 200, activity(history.activity(presetRef(ctx), Duration.ofHours(hours))));
        });
        routes.get("/api/v1/presets/{template}/{preset}/builds", ctx -> {
            int limit = Requests.intParam(ctx, "limit", DEFAULT_BUILDS, 1, PresetHistoryUseCase.MAX_BUILDS);
            Page<PresetHistoryUseCase.PresetBuild> page = history.recentBuilds(presetRef(ctx), Requests.cursor(ctx), limit);
            Json.send(ctx, 200, new Json.PageView<>(page.items().stream().map(PresetHistoryRoutes::presetBuild).toList(),
                    page.next()));
        });
    }

    static ActivityView activity(PresetHistoryUseCase.PresetActivity a) {
        return new ActivityView(a.preset().ref().toString(), a.preset().version(), a.at(), timezone(a.zone()), a.today(),
                a.schedule().stream().map(s -> new SpanView(hour(s.fromHour()), hour(s.toHour()), s.instances(), s.cron()))
                        .toList(),
                new ClaimsView(a.claimsSince(), a.claims().served(), a.claims().missed()),
                new SamplesView(a.samplesSince(), a.samples().stream()
                        .map(p -> new SampleView(p.at(), p.desired(), p.eligible(), p.starting(), p.failed())).toList()));
    }

    /**
     * The name of a schedule's timezone as browsers' {@code Intl} and {@code ZoneId.of} both accept it. A preset
     * without a timezone is evaluated in {@code ZoneOffset.UTC}, whose id is {@code "Z"}: not an IANA name, and
     * {@code Intl.DateTimeFormat} throws on it, so it is sent as {@code "UTC"}. Region ids are sent as they are.
     */
    static String timezone(ZoneId zone) {
        if (zone instanceof ZoneOffset offset && offset.getTotalSeconds() == 0) {
            return "UTC";
        }
        return zone.getId();
    }

    private static String hour(int hour) {
        return String.format(Locale.ROOT, "%02d:00", hour);
    }

    private static PresetBuildView presetBuild(PresetHistoryUseCase.PresetBuild pb) {
        WorkspaceJson.BuildView b = WorkspaceJson.build(pb.build());
        return new PresetBuildView(pb.workspace().text(), b.id(), b.transition(), b.status(), b.reason(), b.attempt(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.errorCode(), b.error(), b.log(), b.awaitingCallbackUntil());
    }
}
