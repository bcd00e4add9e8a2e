package io.warmpool.application.service;

import io.warmpool.application.port.in.RunProvisionerJobsUseCase.WorkerStep;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspaceChecksPort.DueCheck;
import io.warmpool.application.port.out.WorkspaceChecksPort.Kind;
import io.warmpool.application.port.out.WorkspacePort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.CreateOutcome;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Readiness (SPEC R10) and liveness (R11) checks, run by the provisioner workers after deletes and creates: takes
 * a due check (a lease on the workspace), asks the provisioner's {@code check} transition, and applies the answer —
 * only while the workspace is still in the phase it was checked in and still a prebuild (the port guards that).
 *
 * <ul>
 *   <li>readiness: {@code ready} → ready, R3 success; {@code failed} → a failed create (permanent when the answer
 *       says so); {@code gone} → a failed create (it can never become ready); {@code starting} or {@code unhealthy}
 *       → asked again after the readiness interval;</li>
 *   <li>liveness: {@code ready} → healthy, count reset; {@code gone} → unhealthy at once; any other answer
 *       ({@code starting}, {@code unhealthy}, {@code failed}) counts as unhealthy, {@code unhealthy_after} of them
 *       in a row → unhealthy;</li>
 *   <li>no answer (the provisioner unavailable, or the check itself failed): nothing counted, asked again later;
 *       the readiness timeout still runs.</li>
 * </ul>
 */
final class ReadinessChecks {

    private final Clock clock;
    private final WorkspaceChecksPort checks;
    private final WorkspaceProvisionerPort provisioner;
    private final FailurePolicy failurePolicy;
    private final EventSinkPort events;
    private final MetricsPort metrics;
    private final CheckSettings settings;

    ReadinessChecks(Clock clock, WorkspaceChecksPort checks, WorkspaceProvisionerPort provisioner,
                    FailurePolicy failurePolicy, EventSinkPort events, MetricsPort metrics, CheckSettings settings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checks = Objects.requireNonNull(checks, "checks");
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Takes and runs the next due check; {@link WorkerStep#IDLE} at once when none is due. */
    CompletionStage<WorkerStep> runNext(Instant now) {
        Optional<DueCheck> due = checks.takeDueCheck(now, settings.lease());
        if (due.isEmpty()) {
            return CompletableFuture.completedFuture(WorkerStep.IDLE);
        }
        DueCheck check = due.get();
        metrics.jobStarted(Transition.CHECK);
        ProvisionRequest request = ProvisionRequest.check("check-" + check.workspace().text() + "-" + now.toEpochMilli(),
                check.workspace(), check.name(), WorkspacePort.PREBUILDS_OWNER, check.preset(), check.parameters(),
                check.outputs());
        CompletionStage<ProvisionResult> call;
        try {
            call = provisioner.provision(request);
        } catch (RuntimeException e) {
            call = CompletableFuture.completedFuture(new ProvisionResult.Failed(PassPlanner.describe(e), false, ""));
        }
        return call.handle((result, error) -> apply(check, now,
                error == null ? result : new ProvisionResult.Failed(PassPlanner.describe(error), false, "")));
    }

    private WorkerStep apply(DueCheck check, Instant started, ProvisionResult result) {
        Instant now = Clocks.now(clock);
        Duration took = Duration.between(started, now);
        if (check.kind() == Kind.READINESS && result instanceof ProvisionResult.Failed f && f.permanent()) {
            // The check can never answer (no check transition configured, say): readiness cannot work — a
            // permanent failed create (R5) says so at once instead of a timeout per prebuild.
            metrics.jobFinished(check.preset(), Transition.CHECK, "permanent", took);
            checks.failReadiness(check.workspace(), now, failure(true, now)).ifPresent(t -> events.publish(
                    failedEvents(check.preset(), check.workspace(), "readiness check impossible: " + f.error(), true, t, now)));
            return WorkerStep.FAILED;
        }
        if (!(result instanceof ProvisionResult.Checked answer)) {
            // No answer: counts nothing (R3, R11); asked again after an interval
            String outcome = result instanceof ProvisionResult.Unavailable ? "unavailable" : "failed";
            checks.reschedule(check.kind(), check.workspace(), check.unhealthyAnswers(), now.plus(interval(check)));
            metrics.jobFinished(check.preset(), Transition.CHECK, outcome, took);
            return outcome.equals("unavailable") ? WorkerStep.RELEASED : WorkerStep.FAILED;
        }
        metrics.jobFinished(check.preset(), Transition.CHECK, answer.health().wire(), took);
        return check.kind() == Kind.READINESS ? readiness(check, answer, now) : liveness(check, answer, now);
    }

    private Duration interval(DueCheck check) {
        return check.kind() == Kind.READINESS || check.healthInterval() == null
                ? settings.readinessInterval() : check.healthInterval();
    }

    private WorkerStep readiness(DueCheck check, ProvisionResult.Checked answer, Instant now) {
        switch (answer.health()) {
            case READY -> {
                markReady(check.workspace(), check.preset(), now);
                return WorkerStep.SUCCEEDED;
            }
            case FAILED, GONE -> {
                String why = answer.health() == Health.GONE ? "the check answered gone before the workspace was ready"
                        : "the readiness check failed" + (answer.detail().isEmpty() ? "" : ": " + answer.detail());
                checks.failReadiness(check.workspace(), now, failure(answer.permanent(), now))
                        .ifPresent(t -> events.publish(failedEvents(check.preset(), check.workspace(), why,
                                answer.permanent(), t, now)));
                return WorkerStep.FAILED;
            }
            default -> {
                checks.reschedule(Kind.READINESS, check.workspace(), 0, now.plus(settings.readinessInterval()));
                return WorkerStep.SUCCEEDED;
            }
        }
    }

    private WorkerStep liveness(DueCheck check, ProvisionResult.Checked answer, Instant now) {
        Duration interval = interval(check);
        if (answer.health() == Health.READY) {
            checks.reschedule(Kind.LIVENESS, check.workspace(), 0, now.plus(interval));
            return WorkerStep.SUCCEEDED;
        }
        int answers = check.unhealthyAnswers() + 1;
        if (answer.health() != Health.GONE && answers < check.unhealthyAfter()) {
            checks.reschedule(Kind.LIVENESS, check.workspace(), answers, now.plus(interval));
            return WorkerStep.SUCCEEDED;
        }
        if (checks.markUnhealthy(check.workspace(), now)) {
            metrics.prebuildUnhealthy(check.preset());
            events.publish(List.of(Event.of(now, EventType.PREBUILD_UNHEALTHY, check.preset(), check.workspace())
                    .with("health", answer.health().wire())
                    .with("answers", Integer.toString(answers))
                    .with("detail", answer.detail())));
        }
        return WorkerStep.FAILED;
    }

    /**
     * A provisioned prebuild became ready (by its check, or its agent): running, with the R3 success in the same
     * transaction.
     *
     * @return false when it was not a provisioned prebuild (any more)
     */
    boolean markReady(WorkspaceId workspace, PresetId preset, Instant now) {
        Optional<FailureTransition> t = checks.markReady(workspace, now,
                state -> failurePolicy.recordOutcome(state, CreateOutcome.SUCCEEDED, now));
        if (t.isEmpty()) {
            return false;
        }
        events.publish(List.of(Event.of(now, EventType.PREBUILD_READY, preset, workspace)));
        return true;
    }

    /** Fails every provisioned prebuild past its readiness deadline (R10), each a failed create. */
    int failOverdue() {
        Instant now = Clocks.now(clock);
        List<WorkspaceChecksPort.TimedOut> out = checks.failOverdue(now, failure(false, now));
        List<Event> all = new ArrayList<>();
        for (WorkspaceChecksPort.TimedOut t : out) {
            all.addAll(failedEvents(t.preset(), t.workspace(), "not ready within the readiness timeout", false,
                    t.transition(), now));
        }
        if (!all.isEmpty()) {
            events.publish(all);
        }
        return out.size();
    }

    private java.util.function.Function<FailureState, FailureTransition> failure(boolean permanent, Instant now) {
        CreateOutcome outcome = permanent ? CreateOutcome.PERMANENT_FAILURE : CreateOutcome.FAILED;
        return state -> failurePolicy.recordOutcome(state, outcome, now);
    }

    private static List<Event> failedEvents(PresetId preset, WorkspaceId workspace, String error, boolean permanent,
                                            FailureTransition t, Instant now) {
        BuildOutcomes.logFailure(Transition.CREATE, preset, workspace, error, Optional.of(t)); // R10: a failed create
        List<Event> out = new ArrayList<>();
        out.add(Event.of(now, EventType.READINESS_FAILED, preset, workspace)
                .with("error", error).with("permanent", Boolean.toString(permanent)));
        out.addAll(BuildOutcomes.transitionEvents(preset, workspace, Optional.of(t), error, now));
        return out;
    }
}
