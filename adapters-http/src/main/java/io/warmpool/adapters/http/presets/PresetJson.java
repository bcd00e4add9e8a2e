package io.warmpool.adapters.http.presets;

import static io.warmpool.adapters.http.web.Json.code;

import io.warmpool.domain.Durations;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.time.Instant;
import java.util.List;

/**
 * A preset's JSON (API.md "PresetView" and "Action"), shared by the presets, status and plan routes: its state
 * (SPEC R1), failure state and plan (R2), actions in the order a pass carries them out.
 */
public final class PresetJson {

    private PresetJson() {
    }

    public record PresetView(String preset, String template, String version, String name, boolean active, int desired,
                             int running, int eligible, int expired, int starting, int queued, int deleting, int failed,
                             int extraneous, String status, int consecutiveFailures, Instant lastFailureAt,
                             Instant retryNotBefore, Instant backoffUntil, BlockedView blocked, List<Object> actions,
                             int provisioned, int unhealthy, ReadinessView readiness, HealthView health,
                             int claiming) {
    }

    /** {@code prebuilds.readiness} (SPEC R10), or {@code null}. */
    record ReadinessView(String check, String timeout) {
    }

    /** {@code prebuilds.health} (SPEC R11), or {@code null}. */
    record HealthView(String interval, int unhealthyAfter) {
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

    public static PresetView preset(PresetPlan plan) {
        PresetState s = plan.state();
        PresetId id = s.id();
        FailureState f = s.failure();
        return new PresetView(id.ref().toString(), id.template(), id.version(), id.preset(), s.active(), s.desired(),
                s.running().size(), s.eligible().size(), s.expired().size(), s.starting(), s.queued(), s.deleting(),
                s.failed().size(), s.extraneous(), code(f.status()), f.consecutiveFailures(), f.lastFailureAt(),
                f.retryNotBefore(), s.backoffUntil().orElse(null),
                plan.blocked().map(b -> new BlockedView(code(b.reason()), b.needed(), b.allowed(), b.until())).orElse(null),
                actions(plan.actions()), s.provisioned(), s.unhealthy().size(),
                s.readiness() == null ? null : new ReadinessView(s.readiness().check().wire(),
                        Durations.format(s.readiness().timeout())),
                s.health() == null ? null : new HealthView(Durations.format(s.health().interval()),
                        s.health().unhealthyAfter()),
                s.claiming());
    }

    /** Each action as its JSON object, in order. */
    public static List<Object> actions(List<PlanAction> actions) {
        return actions.stream().map(PresetJson::action).toList();
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
}
