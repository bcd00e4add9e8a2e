package io.warmpool.application.service;

import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.Attempt;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NudgePort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Claims (A3). Thread-safe; concurrency safety of the hand-over itself is the {@link ClaimPort}'s contract. Every
 * claim, hit or miss, is recorded in the metrics, published as an event and followed by a nudge for its preset;
 * concurrent claims publish and nudge in groups (see {@link ClaimFollowUps}).
 */
public final class ClaimPrebuildService implements ClaimPrebuildUseCase, AutoCloseable {

    private final Clock clock;
    private final ClaimPort claims;
    private final IdGeneratorPort ids;
    private final ClaimFollowUps followUps;
    private final MetricsPort metrics;
    private final ClaimWaitersPort waiters;
    private final WaitingClaims waiting;

    public ClaimPrebuildService(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics, ClaimWaitersPort waiters,
                                ClaimWaitSettings waitSettings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.claims = Objects.requireNonNull(claims, "claims");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.followUps = new ClaimFollowUps(events, nudges);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.waiters = Objects.requireNonNull(waiters, "waiters");
        this.waiting = new WaitingClaims(clock, waiters, metrics, waitSettings, this::servedAfterWaiting);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On arrival the claim is tried through {@link ClaimWaitersPort#claimInTurn} (so that it does not pass claims
     * already waiting for the preset), recorded as a hit or a miss exactly as {@link #claim} records it, and on a
     * miss it joins the queue ({@link WaitingClaims}).
     */
    @Override
    public CompletableFuture<Attempt> claimWaiting(ClaimCommand command) {
        if (command.maxWait().isEmpty()) {
            return CompletableFuture.completedFuture(claim(command));
        }
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = waiters.claimInTurn(ClaimWaitersPort.NOT_WAITING, command.preset(), command.owner(), name, now).attempt();
        Attempt answer = recorded(command, attempt, now);
        if (attempt instanceof ClaimPort.Missed missed) {
            return waiting.await(command, name, missed.preset(), now);
        }
        return CompletableFuture.completedFuture(answer);
    }

    /** A waiter served: its event (with how long it waited); its miss on arrival was recorded then. */
    private Attempt servedAfterWaiting(WaitingClaims.Arrival arrival, ClaimPort.Claimed claimed) {
        Instant now = claimed.workspace().claimedAt();
        followUps.handOver(Event.of(now, EventType.CLAIM_SUCCEEDED, claimed.preset(), claimed.workspace().id())
                .with("owner", arrival.command().owner()).with("name", claimed.workspace().name())
                .with("waited_ms", Long.toString(Duration.between(arrival.arrived(), now).toMillis())), claimed.preset());
        return answer(claimed);
    }

    /** Stops the waiting claims of this replica (each is answered as timed out). */
    @Override
    public void close() {
        waiting.close();
    }

    /** {@inheritDoc} A command with {@link ClaimCommand#maxWait()} waits here, on the caller's thread. */
    @Override
    public Attempt claim(ClaimCommand command) {
        if (command.maxWait().isPresent()) {
            return claimWaiting(command).join();
        }
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = command.idempotencyKey().isEmpty()
                ? claims.claim(command.preset(), command.owner(), name, now)
                : claims.claim(command.preset(), command.owner(), name, now, command.idempotencyKey().get());
        if (attempt instanceof ClaimPort.Claimed claimed && claimed.replayed()) {
            // The same claim answered again (R12 Idempotency-Key): nothing was taken now, so no metric, event or
            // nudge — they were all recorded when it was made.
            return answer(attempt);
        }
        return recorded(command, attempt, now);
    }

    /** Records a claim's outcome (metrics, event, nudge) and answers it. */
    private Attempt recorded(ClaimCommand command, ClaimPort.Attempt attempt, Instant now) {
        Instant done = Clocks.now(clock);
        boolean hit = attempt instanceof ClaimPort.Claimed;
        metrics.claimFinished(attempt.preset(), hit, Duration.between(now, done));
        Event event = attempt instanceof ClaimPort.Claimed claimed
                ? Event.of(now, EventType.CLAIM_SUCCEEDED, attempt.preset(), claimed.workspace().id())
                        .with("owner", command.owner()).with("name", claimed.workspace().name())
                : Event.of(now, EventType.CLAIM_MISSED, attempt.preset(), null).with("owner", command.owner());
        // A claim (or a miss) means the pool is short now: reconcile it without waiting for the next tick. Under
        // concurrent claims, events and nudges go out in groups (ClaimFollowUps).
        followUps.handOver(event, attempt.preset());
        return answer(attempt);
    }

    /** The use case's own answer, from the port's. */
    private static Attempt answer(ClaimPort.Attempt attempt) {
        if (attempt instanceof ClaimPort.Claimed claimed) {
            ClaimPort.ClaimedWorkspace w = claimed.workspace();
            return new ClaimPrebuildUseCase.Claimed(new ClaimPrebuildUseCase.ClaimedWorkspace(w.id(), w.name(), w.owner(),
                    w.preset(), w.createdAt(), w.claimedAt(), w.outputs()), claimed.replayed());
        }
        return new ClaimPrebuildUseCase.Missed(attempt.preset());
    }

    /**
     * {@code <preset>-<8 hex>}: valid as a name and unlikely to collide for one owner. The id's last eight hex
     * digits: its first ones are the time in a time-ordered id ({@link TimeOrderedIds}), shared by every claim of
     * the same minute.
     */
    private String defaultName(ClaimCommand command) {
        String text = ids.newWorkspaceId().text();
        String suffix = text.substring(text.length() - 8);
        String base = command.preset().preset();
        int room = io.warmpool.domain.Names.MAX_LENGTH - suffix.length() - 1;
        return (base.length() > room ? base.substring(0, room) : base) + "-" + suffix;
    }
}
