package io.warmpool.adapters.http;

import io.warmpool.application.port.in.ApplyPresetsUseCase;
import io.warmpool.application.port.in.PresetHistoryUseCase;
import io.warmpool.application.port.in.StatusReport;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.ClaimedWorkspace;
import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON shapes of the REST API (documented in {@code adapters-http/API.md}) and the mapping from application
 * and domain types to them. Records serialise in declaration order; every field is always present ({@code null}
 * when it has no value), so clients can rely on the keys. Codes (statuses, reasons, phases, kinds) are lowercase
 * on the wire, like the event types of SPEC §5.
 */
final class ApiJson {

    private ApiJson() {
    }

    // ---- presets, status and plan ---------------------------------------------------------------------------

    record PresetView(String preset, String template, String version, String name, boolean active, int desired,
                      int running, int eligible, int expired, int starting, int queued, int deleting, int failed,
                      int extraneous, String status, int consecutiveFailures, Instant lastFailureAt,
                      Instant retryNotBefore, Instant backoffUntil, BlockedView blocked, List<Object> actions) {
    }

    record BlockedView(String reason, int needed, int allowed, Instant until) {
    }

    record CreateAction(String type, int count) {
    }

    record DeleteAction(String type, String workspace, Instant createdAt, String reason) {
    }

    record CancelQueuedAction(String type, int count, String reason) {
    }

    record BlockedAction(String type, String reason, int needed, int allowed, Instant until) {
    }

    record StatusView(Instant at, boolean paused, int queuedCreates, List<PresetView> presets,
                      Map<String, String> failures, LastPassView lastPass) {
    }

    record LastPassView(Instant startedAt, long durationMs, String replica, int presets, int creates, int deletes,
                        int cancels, int failures) {
    }

    record PlanView(Instant at, boolean paused, List<PresetPlanView> presets, Map<String, String> failures) {
    }

    record PresetPlanView(String preset, String version, List<Object> actions) {
    }

    static PresetView preset(PresetPlan plan) {
        PresetState s = plan.state();
        PresetId id = s.id();
        FailureState f = s.failure();
        return new PresetView(id.ref().toString(), id.template(), id.version(), id.preset(), s.active(), s.desired(),
                s.running().size(), s.eligible().size(), s.expired().size(), s.starting(), s.queued(), s.deleting(),
                s.failed().size(), s.extraneous(), code(f.status()), f.consecutiveFailures(), f.lastFailureAt(),
                f.retryNotBefore(), s.backoffUntil().orElse(null),
                plan.blocked().map(b -> new BlockedView(code(b.reason()), b.needed(), b.allowed(), b.until())).orElse(null),
                actions(plan));
    }

    static StatusView status(StatusReport report, Optional<PresetHistoryPort.PassRecord> lastPass) {
        return new StatusView(report.at(), report.paused(), report.queuedCreates(),
                report.presets().stream().map(ApiJson::preset).toList(), failures(report.failures()),
                lastPass.map(p -> new LastPassView(p.startedAt(), p.duration().toMillis(), p.replica(), p.presets(),
                        p.creates(), p.deletes(), p.cancels(), p.failures())).orElse(null));
    }

    // ---- history ----------------------------------------------------------------------------------------------

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
                           String log) {
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

    static PresetBuildView presetBuild(PresetHistoryPort.PresetBuild pb) {
        BuildView b = build(pb.build());
        return new PresetBuildView(pb.workspace().text(), b.id(), b.transition(), b.status(), b.reason(), b.attempt(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.errorCode(), b.error(), b.log());
    }

    static PlanView plan(StatusReport report) {
        return new PlanView(report.at(), report.paused(), report.presets().stream()
                .map(p -> new PresetPlanView(p.id().ref().toString(), p.id().version(), actions(p))).toList(),
                failures(report.failures()));
    }

    static List<Object> actions(PresetPlan plan) {
        return plan.actions().stream().map(ApiJson::action).toList();
    }

    private static Object action(PlanAction action) {
        if (action instanceof PlanAction.Create c) {
            return new CreateAction("create", c.count());
        }
        if (action instanceof PlanAction.Delete d) {
            return new DeleteAction("delete", d.workspace().text(), d.createdAt(), code(d.reason()));
        }
        if (action instanceof PlanAction.CancelQueued c) {
            return new CancelQueuedAction("cancel_queued", c.count(), code(c.reason()));
        }
        PlanAction.Blocked b = (PlanAction.Blocked) action;
        return new BlockedAction("blocked", code(b.reason()), b.needed(), b.allowed(), b.until());
    }

    /** Keyed by the full preset id ({@code template@version/preset}), sorted, so the output is stable. */
    private static Map<String, String> failures(Map<PresetId, String> failures) {
        Map<String, String> out = new TreeMap<>();
        failures.forEach((id, why) -> out.put(id.toString(), why));
        return out;
    }

    // ---- operations -----------------------------------------------------------------------------------------

    record AppliedView(int templates, int versionsCreated, int presetsCreated, int presetsUpdated) {
    }

    record ResumedView(String preset, String from, String to, int consecutiveFailures) {
    }

    record InvalidatedView(String preset, String version, Instant invalidatedAt) {
    }

    record PausedView(boolean paused) {
    }

    record ReleasedView(String released) {
    }

    static AppliedView applied(ApplyPresetsUseCase.Applied a) {
        return new AppliedView(a.templates(), a.versionsCreated(), a.presetsCreated(), a.presetsUpdated());
    }

    static ResumedView resumed(String preset, FailureTransition t) {
        return new ResumedView(preset, code(t.before().status()), code(t.after().status()),
                t.after().consecutiveFailures());
    }

    // ---- workspaces -----------------------------------------------------------------------------------------

    record ClaimedView(String id, String name, String owner, String preset, String version, Instant createdAt,
                       Instant claimedAt, Map<String, String> outputs) {
    }

    record WorkspaceView(String id, String name, String owner, String preset, String version, String phase,
                         boolean claimed, Instant createdAt, Instant claimedAt, Map<String, String> outputs) {
    }

    record BuildView(long id, String transition, String status, String reason, int attempt, Instant createdAt,
                     Instant startedAt, Instant finishedAt, String errorCode, String error, String log) {
    }

    static ClaimedView claimed(ClaimedWorkspace w) {
        return new ClaimedView(w.id().text(), w.name(), w.owner(), w.preset().ref().toString(), w.preset().version(),
                w.createdAt(), w.claimedAt(), new TreeMap<>(w.outputs()));
    }

    static WorkspaceView workspace(WorkspacePort.WorkspaceView w) {
        return new WorkspaceView(w.id().text(), w.name(), w.owner(),
                w.preset() == null ? null : w.preset().ref().toString(),
                w.preset() == null ? null : w.preset().version(),
                w.phase() == null ? null : code(w.phase()), w.claimed(), w.createdAt(), w.claimedAt(),
                new TreeMap<>(w.outputs()));
    }

    static BuildView build(WorkspacePort.BuildView b) {
        return new BuildView(b.id().value(), b.transition().wire(), lower(b.status()), lower(b.reason()), b.attempt(),
                b.createdAt(), b.startedAt(), b.finishedAt(), b.errorCode(), b.error(), b.log());
    }

    // ---- service and errors ---------------------------------------------------------------------------------

    /** A one-time sign-in link of the dashboard: {@code url} as this request reached the server, {@code path} to
     * append to another base URL. */
    record SignInCodeView(String url, String path, Instant expiresAt) {
    }

    record HealthView(String status) {
    }

    record ReadyView(boolean ready, String detail) {
    }

    record ErrorView(String error) {
    }

    record InvalidView(String error, List<ErrorItem> errors) {
    }

    record ErrorItem(String source, String field, String message) {
    }

    static InvalidView invalid(String error, List<ValidationError> errors) {
        return new InvalidView(error, errors.stream().map(e -> new ErrorItem(e.source(), e.field(), e.message())).toList());
    }

    static String code(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String lower(String code) {
        return code == null ? null : code.toLowerCase(Locale.ROOT);
    }
}
