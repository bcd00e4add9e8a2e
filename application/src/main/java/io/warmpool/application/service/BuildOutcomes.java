package io.warmpool.application.service;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.backoff.CreateOutcome;
import io.warmpool.domain.backoff.FailurePolicy;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.FailureTransition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the outcome of a create or delete is recorded, whoever learns it: a worker from the provisioner's answer
 * ({@link ProvisionerWorkerService}), any replica from the build's callback ({@link CompleteBuildService}), or the
 * reaper when the callback's deadline passes. One place, so that a build finished by a callback moves the
 * workspace, the failure state (R3–R5) and the events exactly as one finished by its worker.
 */
final class BuildOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(BuildOutcomes.class);

    private final FailurePolicy failurePolicy;
    private final EventSinkPort events;

    BuildOutcomes(FailurePolicy failurePolicy, EventSinkPort events) {
        this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
        this.events = Objects.requireNonNull(events, "events");
    }

    /** A provisioner's final answer as stored on the build, and what it means for the preset (R3–R5). */
    record Outcome(JobResult result, CreateOutcome createOutcome) {

        /** The metrics' name: {@code succeeded}, {@code permanent} or {@code failed}. */
        String name() {
            return switch (createOutcome) {
                case SUCCEEDED -> "succeeded";
                case PERMANENT_FAILURE -> "permanent";
                default -> "failed";
            };
        }

        boolean succeeded() {
            return createOutcome == CreateOutcome.SUCCEEDED;
        }

        /** A failure that is not the provisioner's answer (a timeout of ours): transient, counted in R3. */
        static Outcome failed(String code, String error) {
            return new Outcome(new JobResult.Failed(code, error, false, ""), CreateOutcome.FAILED);
        }
    }

    /**
     * The outcome of a provisioner's final answer to a create or delete: {@link ProvisionResult.Succeeded} succeeds;
     * {@link ProvisionResult.Failed} fails (permanent when it says so); anything else (a check's answer, an
     * acceptance where none is allowed) is a provisioner bug, recorded as a transient failure rather than a crash.
     */
    static Outcome of(ProvisionResult result, Transition transition) {
        if (result instanceof ProvisionResult.Succeeded ok) {
            return new Outcome(new JobResult.Succeeded(ok.outputs(), ok.log()), CreateOutcome.SUCCEEDED);
        }
        ProvisionResult.Failed failed = result instanceof ProvisionResult.Failed f ? f
                : new ProvisionResult.Failed("provisioner answered " + kind(result) + " to a " + transition.wire(),
                        false, "");
        return new Outcome(new JobResult.Failed(failed.permanent() ? "permanent" : "failed", failed.error(),
                failed.permanent(), failed.log()), failed.permanent() ? CreateOutcome.PERMANENT_FAILURE : CreateOutcome.FAILED);
    }

    private static String kind(ProvisionResult result) {
        return result instanceof ProvisionResult.Checked ? "a check" : "\"accepted\"";
    }

    /** The failure-state change of {@code outcome} at {@code now} (applied by the store to a create's preset). */
    Function<FailureState, FailureTransition> failureChange(Outcome outcome, Instant now) {
        return state -> failurePolicy.recordOutcome(state, outcome.createOutcome(), now);
    }

    /** Publishes what recording {@code outcome} caused: the build's end, and backoff, hard limit, validation failure. */
    void published(Transition transition, PresetId preset, WorkspaceId workspace, Outcome outcome,
                   Optional<FailureTransition> failure, Instant now) {
        if (outcome.result() instanceof JobResult.Failed failed) {
            logFailure(transition, preset, workspace, failed.error(), failure);
        }
        events.publish(eventsFor(transition, preset, workspace, outcome.result(), failure, now));
    }

    /**
     * The log of a failed create or delete (SPEC R3–R5 as an operator reads them): a WARN naming the preset, the
     * workspace, the error's first line and, for a create, the consecutive failures {@code k} and
     * {@code retryNotBefore}; an ERROR when it made the preset {@code hard_limited} or {@code validation_failed},
     * which stops its creates until an operator resumes it.
     */
    static void logFailure(Transition transition, PresetId preset, WorkspaceId workspace, String error,
                           Optional<FailureTransition> failure) {
        try (LogContext context = LogContext.of(preset, workspace)) {
            String first = firstLine(error);
            var warn = LOG.atWarn();
            failure.filter(FailureTransition::counted).ifPresent(t -> {
                warn.addKeyValue("k", t.after().consecutiveFailures());
                t.backoffUntil().ifPresent(until -> warn.addKeyValue("retryNotBefore", until.toString()));
            });
            warn.log(transition.wire() + " failed: " + first);
            failure.ifPresent(t -> {
                if (t.becameValidationFailed()) {
                    LOG.atError().addKeyValue("k", t.after().consecutiveFailures())
                            .log("preset is validation_failed: the provisioner called its create invalid (" + first
                                    + "); no creates until `warmpool presets resume " + preset.template() + "/"
                                    + preset.preset() + "` or a new template version");
                } else if (t.becameHardLimited()) {
                    LOG.atError().addKeyValue("k", t.after().consecutiveFailures())
                            .log("preset is hard_limited after " + t.after().consecutiveFailures()
                                    + " consecutive failed creates; no creates until one in flight succeeds or `warmpool"
                                    + " presets resume " + preset.template() + "/" + preset.preset() + "`");
                }
            });
        }
    }

    /** The first line of a provisioner's error, bounded: the whole text stays in the event log and the build. */
    static String firstLine(String error) {
        if (error == null || error.isBlank()) {
            return "(no message)";
        }
        String line = error.strip().lines().findFirst().orElse("").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    static List<Event> eventsFor(Transition transition, PresetId preset, WorkspaceId workspace, JobResult result,
                                 Optional<FailureTransition> failure, Instant now) {
        List<Event> out = new ArrayList<>();
        boolean create = transition == Transition.CREATE;
        if (result instanceof JobResult.Failed failed) {
            out.add(Event.of(now, create ? EventType.CREATE_FAILED : EventType.DELETE_FAILED, preset, workspace)
                    .with("error", failed.error()).with("permanent", Boolean.toString(failed.permanent())));
        } else {
            out.add(Event.of(now, create ? EventType.CREATE_SUCCEEDED : EventType.DELETE_SUCCEEDED, preset, workspace));
        }
        out.addAll(transitionEvents(preset, workspace, failure,
                result instanceof JobResult.Failed f ? f.error() : "", now));
        return out;
    }

    /** The events of a failure-state change: backoff, hard limit, validation failure ({@code error} its cause). */
    static List<Event> transitionEvents(PresetId preset, WorkspaceId workspace, Optional<FailureTransition> failure,
                                        String error, Instant now) {
        List<Event> out = new ArrayList<>();
        failure.ifPresent(t -> {
            FailureState after = t.after();
            t.backoffUntil().ifPresent(until -> out.add(Event.of(now, EventType.BACKOFF, preset, workspace)
                    .with("until", until.toString())
                    .with("failures", Integer.toString(after.consecutiveFailures()))));
            if (t.becameHardLimited()) {
                out.add(Event.of(now, EventType.HARD_LIMITED, preset, workspace)
                        .with("failures", Integer.toString(after.consecutiveFailures())));
            }
            if (t.becameValidationFailed()) {
                out.add(Event.of(now, EventType.VALIDATION_FAILED, preset, workspace).with("error", error));
            }
        });
        return out;
    }
}
