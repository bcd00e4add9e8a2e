package io.warmpool.application.service;

import io.warmpool.application.port.in.RunProvisionerJobsUseCase;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.BuildQueuePort.JobNotHeldException;
import io.warmpool.application.port.out.BuildQueuePort.LostJob;
import io.warmpool.application.port.out.ConflictException;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.domain.Durations;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.Job;
import io.warmpool.application.port.out.JobResult;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkerId;
import io.warmpool.application.port.out.WorkspaceChecksPort;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import io.warmpool.domain.backoff.FailurePolicy;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner workers (A2). Each {@link #runNext} takes one job, calls the provisioner while heartbeating,
 * and records the outcome together with the preset's failure-state change (R3–R5). If recording fails (the
 * database is down) the returned stage completes exceptionally; the job is then reaped as lost by a later
 * {@link #reapLostJobs}, which never counts against the preset.
 */
public final class ProvisionerWorkerService implements RunProvisionerJobsUseCase {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisionerWorkerService.class);

    private final Clock clock;
    private final BuildQueuePort queue;
    private final WorkspaceProvisionerPort provisioner;
    private final TimerPort timer;
    private final FailurePolicy failurePolicy;
    private final EventSinkPort events;
    private final MetricsPort metrics;
    private final WorkerSettings settings;
    private final BuildOutcomes outcomes;
    /** Readiness and liveness checks (R10, R11), taken when no delete or create is ready; null: none. */
    private final ReadinessChecks checks;
    private final WorkspaceChecksPort checkPort;
    private final CheckSettings checkSettings;

    /** Workers that run builds only: no readiness or liveness checks. */
    public ProvisionerWorkerService(Clock clock, BuildQueuePort queue, WorkspaceProvisionerPort provisioner,
                                    TimerPort timer, FailurePolicy failurePolicy, EventSinkPort events,
                                    MetricsPort metrics, WorkerSettings settings) {
        this(clock, queue, provisioner, timer, failurePolicy, events, metrics, settings, null, CheckSettings.DEFAULTS);
    }

    /**
     * Workers that also run due readiness and liveness checks (R10, R11) after deletes and creates, fail
     * provisioned prebuilds past their readiness deadline (with the reaping of lost jobs), and give every create an
     * agent token (R10 agent).
     */
    public ProvisionerWorkerService(Clock clock, BuildQueuePort queue, WorkspaceProvisionerPort provisioner,
                                    TimerPort timer, FailurePolicy failurePolicy, EventSinkPort events,
                                    MetricsPort metrics, WorkerSettings settings, WorkspaceChecksPort checks,
                                    CheckSettings checkSettings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.outcomes = new BuildOutcomes(failurePolicy, events);
        this.checkPort = checks;
        this.checkSettings = Objects.requireNonNull(checkSettings, "checkSettings");
        this.checks = checks == null ? null
                : new ReadinessChecks(clock, checks, provisioner, failurePolicy, events, metrics, checkSettings);
    }

    /**
     * Marks a provisioned prebuild ready (R10), as its check or its agent says: running, the R3 success in the same
     * transaction.
     *
     * @return false when it is not a provisioned prebuild (any more)
     */
    public boolean markReady(io.warmpool.domain.WorkspaceId workspace, io.warmpool.domain.PresetId preset) {
        if (checks == null) {
            return false;
        }
        return checks.markReady(workspace, preset, Clocks.now(clock));
    }

    @Override
    public CompletionStage<WorkerStep> runNext(Worker slot) {
        WorkerId worker = ReadModels.worker(Objects.requireNonNull(slot, "worker"));
        Instant started = Clocks.now(clock);
        Optional<Job> taken = queue.acquire(worker, started);
        if (taken.isEmpty()) {
            // R11: checks are taken after deletes and creates
            return checks == null ? CompletableFuture.completedFuture(WorkerStep.IDLE) : checks.runNext(started);
        }
        Job job = taken.get();
        try (LogContext context = LogContext.of(job)) {
            return run(job, worker, started);
        }
    }

    private CompletionStage<WorkerStep> run(Job job, WorkerId worker, Instant started) {
        metrics.jobStarted(job.transition());
        java.util.concurrent.atomic.AtomicReference<TimerPort.Cancellable> self = new java.util.concurrent.atomic.AtomicReference<>();
        TimerPort.Cancellable heartbeat = timer.every(settings.heartbeatInterval(), () -> {
            if (!heartbeat(job, worker)) {
                // Reaped as lost: heartbeating on is pointless; the result will be dropped when it comes.
                TimerPort.Cancellable c = self.get();
                if (c != null) {
                    c.cancel();
                }
            }
        });
        self.set(heartbeat);
        CompletionStage<ProvisionResult> call;
        try {
            call = provisioner.provision(request(job));
        } catch (RuntimeException e) {
            call = CompletableFuture.completedFuture(new ProvisionResult.Failed(
                    "provisioner error: " + PassPlanner.describe(e), false, ""));
        }
        return call.handle((result, error) -> {
            heartbeat.cancel();
            ProvisionResult outcome = error == null ? result
                    : new ProvisionResult.Failed("provisioner error: " + PassPlanner.describe(error), false, "");
            // Often on the provisioner's thread, not the worker's: the job's fields again for what recording logs.
            try (LogContext context = LogContext.of(job)) {
                return record(job, worker, started, outcome);
            }
        });
    }

    /**
     * The provisioner request of a job; a create carries a fresh agent token (only its SHA-256 is stored) and the
     * ready URL (R10 agent). A create retried gets a new token; the old one stops working.
     */
    private ProvisionRequest request(Job job) {
        ProvisionRequest request = ProvisionRequest.of(job);
        if (checkPort == null || job.transition() != Transition.CREATE) {
            return request;
        }
        String token = AgentTokens.newToken();
        checkPort.storeAgentToken(job.workspace(), AgentTokens.sha256(token));
        return request.withAgent(token, checkSettings.readyUrl(job.workspace()));
    }

    /** @return false when the job is no longer held by {@code worker} */
    private boolean heartbeat(Job job, WorkerId worker) {
        try {
            if (!queue.heartbeat(job.id(), worker, Clocks.now(clock))) {
                LOG.warn("job " + job.id() + " was reaped as lost while " + worker + " still ran it");
                return false;
            }
        } catch (RuntimeException e) {
            LOG.warn("heartbeat of job " + job.id() + " failed: " + PassPlanner.describe(e));
        }
        return true;
    }

    private WorkerStep record(Job job, WorkerId worker, Instant started, ProvisionResult result) {
        Instant now = Clocks.now(clock);
        Duration took = Duration.between(started, now);
        if (result instanceof ProvisionResult.Unavailable unavailable) {
            try {
                queue.release(job.id(), worker, unavailable.reason(), now.plus(settings.unavailableRetryDelay()), now);
            } catch (JobNotHeldException e) {
                return lost(job, took);
            }
            metrics.jobFinished(job.preset(), job.transition(), "unavailable", took);
            events.publish(List.of(Event.of(now, EventType.JOB_RELEASED, job.preset(), job.workspace())
                    .with("transition", job.transition().wire()).with("reason", unavailable.reason())));
            return WorkerStep.RELEASED;
        }
        if (result instanceof ProvisionResult.Accepted accepted && job.transition() != Transition.CHECK
                && job.transition() != Transition.CLAIM) {
            return accepted(job, worker, started, now, accepted);
        }
        BuildOutcomes.Outcome outcome = BuildOutcomes.of(result, job.transition());
        Optional<FailureTransition> transition;
        try {
            transition = queue.complete(job.id(), worker, outcome.result(), now, outcomes.failureChange(outcome, now));
        } catch (JobNotHeldException e) {
            return lost(job, took);
        }
        metrics.jobFinished(job.preset(), job.transition(), outcome.name(), took);
        outcomes.published(job.transition(), job.preset(), job.workspace(), outcome, transition, now);
        return outcome.succeeded() ? WorkerStep.SUCCEEDED : WorkerStep.FAILED;
    }

    /**
     * The provisioner will call back: the build awaits its callback until the transition's timeout after the job was
     * taken, and this worker's slot is free at once (a VM that boots for minutes must not hold a worker).
     */
    private WorkerStep accepted(Job job, WorkerId worker, Instant started, Instant now, ProvisionResult.Accepted accepted) {
        Duration took = Duration.between(started, now);
        Instant until = started.plus(accepted.timeout());
        try {
            queue.awaitCallback(job.id(), worker, until, now);
        } catch (JobNotHeldException e) {
            // Reaped meanwhile, or its callback beat the 202 here and completed it: either way it is no longer ours.
            LOG.info("job " + job.id() + " was accepted by the provisioner but is no longer held (completed by"
                    + " its callback, or reaped)");
            metrics.jobFinished(job.preset(), job.transition(), "accepted", took);
            return WorkerStep.ACCEPTED;
        }
        metrics.jobFinished(job.preset(), job.transition(), "accepted", took);
        events.publish(List.of(Event.of(now, EventType.JOB_ACCEPTED, job.preset(), job.workspace())
                .with("transition", job.transition().wire()).with("job", job.id().toString())
                .with("until", until.toString())));
        return WorkerStep.ACCEPTED;
    }

    private WorkerStep lost(Job job, Duration took) {
        LOG.warn("job " + job.id() + " was reaped as lost before its result could be recorded; result dropped");
        metrics.jobFinished(job.preset(), job.transition(), "lost", took);
        return WorkerStep.LOST;
    }

    static List<Event> eventsFor(Job job, JobResult result, Optional<FailureTransition> transition, Instant now) {
        return BuildOutcomes.eventsFor(job.transition(), job.preset(), job.workspace(), result, transition, now);
    }

    @Override
    public int reapLostJobs() {
        Instant now = Clocks.now(clock);
        List<LostJob> lost = queue.reapLost(now.minus(settings.heartbeatTimeout()), now);
        List<Event> out = new ArrayList<>(lost.size());
        for (LostJob job : lost) {
            metrics.jobFinished(job.preset(), job.transition(), "lost", Duration.ZERO);
            out.add(Event.of(now, EventType.WORKER_LOST, job.preset(), job.workspace())
                    .with("transition", job.transition().wire()).with("job", job.id().toString()));
        }
        if (!out.isEmpty()) {
            events.publish(out);
        }
        failOverdueReadiness();
        return lost.size() + expireOverdueCallbacks(now);
    }

    @Override
    public int failOverdueReadiness() {
        // R10: provisioned prebuilds past their readiness deadline fail their create (any replica may do this)
        return checks == null ? 0 : checks.failOverdue();
    }

    /** Builds timed out per call: a backlog drains over the following reaper runs. */
    static final int OVERDUE_PER_RUN = 100;

    /**
     * Fails every build whose callback did not come by its deadline, as {@code callback_timeout}: for a create a
     * failed create (R3: "a callback that never comes fails the create at the timeout"). A build whose callback
     * lands at the same moment is finished once, by whichever comes first.
     */
    private int expireOverdueCallbacks(Instant now) {
        int expired = 0;
        for (BuildQueuePort.AwaitedJob job : queue.overdueCallbacks(now, OVERDUE_PER_RUN)) {
            BuildOutcomes.Outcome outcome = BuildOutcomes.Outcome.failed(CALLBACK_TIMEOUT, job.transition().wire()
                    + " accepted by the provisioner, but no callback came within "
                    + Durations.format(Duration.between(job.startedAt(), job.until())) + " ("
                    + job.transition().wire() + "-timeout)");
            BuildQueuePort.AwaitedCompletion done;
            try {
                done = queue.completeAwaited(job.id(), outcome.result(), now, outcomes.failureChange(outcome, now));
            } catch (ConflictException | NotFoundException e) {
                continue; // its callback came first
            }
            metrics.awaitedJobFinished(job.preset(), job.transition(), "timed_out", Duration.between(job.startedAt(), now));
            outcomes.published(job.transition(), job.preset(), job.workspace(), outcome, done.failure(), now);
            expired++;
        }
        return expired;
    }

    /** The error code of a build whose callback never came. */
    static final String CALLBACK_TIMEOUT = "callback_timeout";
}
