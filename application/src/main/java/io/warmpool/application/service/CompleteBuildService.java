package io.warmpool.application.service;

import io.warmpool.application.port.in.CompleteBuildUseCase;
import io.warmpool.application.port.out.BuildCallbackPort;
import io.warmpool.application.port.out.BuildQueuePort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.JobId;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.domain.backoff.FailurePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Records the outcome a provisioner reports by callback for a build it accepted ({@link CompleteBuildUseCase}). The
 * callback is opened (verified, decoded) by the {@link BuildCallbackPort} first — nothing about the build is looked at
 * for an unauthenticated caller — and then recorded by {@link BuildQueuePort#completeAwaited} through the same
 * {@link BuildOutcomes} the workers use, in one transaction with the preset's failure state. Any replica can do this:
 * nothing here is held in memory.
 */
public final class CompleteBuildService implements CompleteBuildUseCase {

    private final Clock clock;
    private final BuildCallbackPort callbacks;
    private final BuildQueuePort queue;
    private final MetricsPort metrics;
    private final BuildOutcomes outcomes;

    public CompleteBuildService(Clock clock, BuildCallbackPort callbacks, BuildQueuePort queue,
                                FailurePolicy failurePolicy, EventSinkPort events, MetricsPort metrics) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.outcomes = new BuildOutcomes(failurePolicy, events);
    }

    @Override
    public Completed complete(Callback callback) {
        Objects.requireNonNull(callback, "callback");
        Instant now = Clocks.now(clock);
        BuildCallbackPort.Verdict verdict = callbacks.open("build-" + callback.buildId(), callback.body(),
                callback.timestamp(), callback.signature(), now);
        if (verdict instanceof BuildCallbackPort.Rejected rejected) {
            throw new CallbackRejectedException(rejected.reason());
        }
        if (verdict instanceof BuildCallbackPort.Malformed malformed) {
            throw new IllegalArgumentException("callback body: " + malformed.reason());
        }
        BuildCallbackPort.Verified verified = (BuildCallbackPort.Verified) verdict;
        JobId id = new JobId(callback.buildId());
        // The transition only matters for a stray answer's wording; the store knows the build's real one.
        BuildOutcomes.Outcome outcome = BuildOutcomes.of(verified.result(), io.warmpool.application.port.out.Transition.CREATE);
        BuildQueuePort.AwaitedCompletion done = queue.completeAwaited(id, outcome.result(), now,
                outcomes.failureChange(outcome, now));
        BuildQueuePort.AwaitedJob job = done.job();
        metrics.awaitedJobFinished(job.preset(), job.transition(), outcome.name(), Duration.between(job.startedAt(), now));
        outcomes.published(job.transition(), job.preset(), job.workspace(), outcome, done.failure(), now);
        return new Completed(callback.buildId(), job.transition().wire(), outcome.name());
    }
}
