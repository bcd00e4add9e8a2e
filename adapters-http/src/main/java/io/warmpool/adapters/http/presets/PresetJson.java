package io.warmpool.adapters.http.presets;

import static io.warmpool.adapters.http.web.Json.code;

import io.warmpool.domain.Durations;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.autoscale.Forecast;
import io.warmpool.domain.autoscale.Sizing;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.plan.PlanAction;
import io.warmpool.domain.plan.PresetPlan;
import io.warmpool.domain.plan.PresetState;
import java.time.Instant;
import java.util.List;

/**
 * A preset's JSON (API.md "PresetView", "Action" and "AutoscaleView"), shared by the presets, status and plan routes:
 * its state (SPEC R1), failure state and plan (R2), actions in the order a pass carries them out, and for a preset
 * sized by demand the numbers behind its desired count (R13).
 */
public final class PresetJson {

    private PresetJson() {
    }

    public record PresetView(String preset, String template, String version, String name, boolean active, int desired,
                             int running, int eligible, int expired, int starting, int queued, int deleting, int failed,
                             int extraneous, String status, int consecutiveFailures, Instant lastFailureAt,
                             Instant retryNotBefore, Instant backoffUntil, BlockedView blocked, List<Object> actions,
                             int provisioned, int unhealthy, ReadinessView readiness, HealthView health,
                             int claiming, AutoscaleView autoscale) {
    }

    /**
     * Why an autoscaled preset's desired count is what it is (SPEC R13, API.md "AutoscaleView"): the policy, the
     * forecast {@code λ} with its hour of the week and where it came from, the build time {@code T}, the offered load
     * {@code a = λ·T}, the smallest size {@code N} reaching the target, the window floor, the desired count and the
     * hit rate a pool of that size is expected to reach. Present on the active version of a preset with
     * {@code prebuilds.autoscale}; {@code null} otherwise.
     *
     * @param source          {@code hour_of_week}, {@code history_average} (less than 7 days of history),
     *                        {@code last_hour} (the last 60 minutes had more claims than the average) or
     *                        {@code no_history}
     * @param historyClaims   the claims the average counted
     * @param historyHours    the whole hours it divided them by (occurrences of the hour of the week, or every whole
     *                        hour of a short history)
     * @param buildSamples    how many measured builds {@code T} is the p90 of; 0 when it is the 5-minute default
     * @param windowFloor     the instances of the schedule window holding now, or {@code null}
     * @param expectedHitRate {@code 1 − B(desired, a)}
     * @param explanation     the same numbers as one sentence for people
     */
    public record AutoscaleView(double targetHitRate, int min, int max, String lookback, double forecastClaimsPerHour,
                                Instant forecastFor, String weekday, int hour, String timezone, String hourOfWeek,
                                String source, long historyClaims, int historyHours, double historyAverage,
                                int claimsLastHour, String buildTime, double buildSeconds, int buildSamples,
                                boolean buildTimeDefault, double offeredLoad, int needed, boolean cappedByMax,
                                Integer windowFloor, int desired, double expectedHitRate, String explanation) {
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
                s.claiming(), autoscale(s.sizing()));
    }

    /** The explanation of a sizing, or {@code null} without one. */
    public static AutoscaleView autoscale(Sizing sizing) {
        if (sizing == null) {
            return null;
        }
        Forecast f = sizing.forecast();
        return new AutoscaleView(sizing.autoscale().targetHitRate(), sizing.autoscale().min(), sizing.autoscale().max(),
                Durations.format(sizing.autoscale().lookback()), f.claimsPerHour(), f.forecastFor(),
                code(f.hourOfWeek().day()), f.hourOfWeek().hour(), PresetHistoryRoutes.timezone(f.zone()), f.hourOfWeek().toString(),
                code(f.source()), f.claims(), f.hours(), f.average(), f.claimsLastHour(),
                Durations.format(sizing.buildTime()), sizing.buildTime().toMillis() / 1000.0, sizing.buildSamples(),
                sizing.buildSamples() == 0, sizing.offeredLoad(), sizing.needed(), sizing.cappedByMax(),
                sizing.windowInstances(), sizing.desired(), sizing.expectedHitRate(), sizing.explain());
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
