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
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.TimerPort;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims (A3). Thread-safe; concurrency safety of the hand-over itself is the {@link ClaimPort}'s contract. Every
 * claim, hit or miss, is recorded in the metrics, published as an event and followed by a nudge for its preset;
 * concurrent claims publish and nudge in groups (see {@link ClaimFollowUps}).
 *
 * <p>Claim handoff (SPEC R12): when the provisioner supports the claim transition, a claim reserves the prebuild
 * ({@link ClaimPort#reserve}), asks the provisioner to hand it over (bounded by the claim timeout, whatever the
 * provisioner), and finishes it with the create's outputs and the handoff's merged over them; a failure or timeout
 * abandons it ({@code CLAIM_FAILED}: deleted, not a creation failure) and the claim is tried once more with the next
 * eligible prebuild. Without a claim transition a claim stays {@link ClaimPort#claim}: one statement.
 */
public final class ClaimPrebuildService implements ClaimPrebuildUseCase, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimPrebuildService.class);
    /** How many prebuilds one claim tries to hand over (R12: the first, and once more the next). */
    static final int HANDOFF_ATTEMPTS = 2;
    /** How often a keyed claim looks again at a claim with its key that is being handed over. */
    static final Duration IN_PROGRESS_POLL = Duration.ofMillis(50);
    /** How much older than the claim timeout a reservation is when the reaper takes it. */
    static final Duration REAP_GRACE = Duration.ofSeconds(1);

    private final Clock clock;
    private final ClaimPort claims;
    private final IdGeneratorPort ids;
    private final ClaimFollowUps followUps;
    private final MetricsPort metrics;
    private final ClaimWaitersPort waiters;
    private final WaitingClaims waiting;
    private final WorkspaceProvisionerPort provisioner;
    private final TimerPort timer;
    private final EventSinkPort events;
    private final ClaimArrivals arrivals;
    private final Duration handoffTimeout;
    /** Whether claims hand over through the provisioner (fixed for its life, R12). */
    private final boolean handoff;

    /** A service whose provisioner has no claim transition: every claim is one statement. */
    public ClaimPrebuildService(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics, ClaimWaitersPort waiters,
                                ClaimWaitSettings waitSettings, ClaimArrivals arrivals) {
        this(clock, claims, nudges, ids, events, metrics, waiters, waitSettings, NO_CLAIM_TRANSITION, null, arrivals);
    }

    /**
     * @param provisioner asked for the claim handoff when it {@link WorkspaceProvisionerPort#supports supports}
     *                    {@link Transition#CLAIM}
     * @param timer       bounds each handoff by {@link ClaimWaitSettings#handoffTimeout()} (virtual time in the
     *                    simulator); may be null when the provisioner has no claim transition
     * @param arrivals    counts every claim's arrival once (SPEC R13 demand), flushed by the reconcile pass and
     *                    {@link #close()}
     */
    public ClaimPrebuildService(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics, ClaimWaitersPort waiters,
                                ClaimWaitSettings waitSettings, WorkspaceProvisionerPort provisioner, TimerPort timer,
                                ClaimArrivals arrivals) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.claims = Objects.requireNonNull(claims, "claims");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.events = Objects.requireNonNull(events, "events");
        this.arrivals = Objects.requireNonNull(arrivals, "arrivals");
        this.followUps = new ClaimFollowUps(events, nudges);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.waiters = Objects.requireNonNull(waiters, "waiters");
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.handoff = provisioner.supports(Transition.CLAIM);
        this.timer = handoff ? Objects.requireNonNull(timer, "timer") : timer;
        this.handoffTimeout = waitSettings.handoffTimeout();
        this.waiting = new WaitingClaims(clock, waiters, metrics, waitSettings, handoff, this::servedAfterWaiting);
    }

    /** A provisioner with no claim transition: never asked. */
    private static final WorkspaceProvisionerPort NO_CLAIM_TRANSITION = request -> {
        throw new IllegalStateException("no claim transition");
    };

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
            return handoff ? handedOver(command) : CompletableFuture.completedFuture(claim(command));
        }
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = handoff
                ? waiters.reserveInTurn(ClaimWaitersPort.NOT_WAITING, command.preset(), command.owner(), name, now).attempt()
                : waiters.claimInTurn(ClaimWaitersPort.NOT_WAITING, command.preset(), command.owner(), name, now).attempt();
        // Counted once here, at its arrival, whatever follows: served, missed and then waiting (and served or not).
        arrivals.arrived(command.preset(), now);
        if (attempt instanceof ClaimPort.Reserved reserved) {
            return handOver(command, reserved.reservation(), 1, now, Optional.empty());
        }
        Attempt answer = recorded(command, attempt, now);
        if (attempt instanceof ClaimPort.Missed missed) {
            return waiting.await(command, name, missed.preset(), now);
        }
        return CompletableFuture.completedFuture(answer);
    }

    /** A waiter served: its event (with how long it waited); its miss on arrival was recorded then. */
    private CompletableFuture<Attempt> servedAfterWaiting(WaitingClaims.Arrival arrival, ClaimPort.Attempt attempt) {
        if (attempt instanceof ClaimPort.Reserved reserved) {
            return handOver(arrival.command(), reserved.reservation(), 1, arrival.arrived(), Optional.of(arrival));
        }
        ClaimPort.Claimed claimed = (ClaimPort.Claimed) attempt;
        Instant now = claimed.workspace().claimedAt();
        followUps.handOver(Event.of(now, EventType.CLAIM_SUCCEEDED, claimed.preset(), claimed.workspace().id())
                .with("owner", arrival.command().owner()).with("name", claimed.workspace().name())
                .with("waited_ms", Long.toString(Duration.between(arrival.arrived(), now).toMillis())), claimed.preset());
        return CompletableFuture.completedFuture(answer(claimed));
    }

    /**
     * Stops the waiting claims of this replica (each is answered as timed out), then adds the claim arrivals counted
     * since the last pass (R13 demand); a failure to add them is logged, and they are lost.
     */
    @Override
    public void close() {
        waiting.close();
        try {
            arrivals.flush();
        } catch (RuntimeException e) {
            LOG.warn("could not store the claim arrivals counted since the last pass: " + PassPlanner.describe(e));
        }
    }

    /** {@inheritDoc} A command with {@link ClaimCommand#maxWait()} waits here, on the caller's thread. */
    @Override
    public Attempt claim(ClaimCommand command) {
        if (command.maxWait().isPresent() || handoff) {
            try {
                return claimWaiting(command).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = command.idempotencyKey().isEmpty()
                ? claims.claim(command.preset(), command.owner(), name, now)
                : claims.claim(command.preset(), command.owner(), name, now, command.idempotencyKey().get());
        if (attempt instanceof ClaimPort.Claimed claimed && claimed.replayed()) {
            // The same claim answered again (R12 Idempotency-Key): nothing was taken now, so no metric, event or
            // nudge — they were all recorded when it was made. Nor a new arrival (R13 demand).
            return answer(attempt);
        }
        arrivals.arrived(command.preset(), now);
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

    // ------------------------------------------------------------------ claim handoff (R12)

    /**
     * A claim that does not wait, with a handoff: reserves (a keyed claim whose key is being handed over by another
     * request waits for it here, on the caller's thread), then hands over asynchronously.
     */
    private CompletableFuture<Attempt> handedOver(ClaimCommand command) {
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = reserve(command, name, now);
        if (attempt instanceof ClaimPort.Claimed claimed && claimed.replayed()) {
            return CompletableFuture.completedFuture(answer(attempt));
        }
        arrivals.arrived(command.preset(), now);
        if (attempt instanceof ClaimPort.Reserved reserved) {
            return handOver(command, reserved.reservation(), 1, now, Optional.empty());
        }
        return CompletableFuture.completedFuture(recorded(command, attempt, now));
    }

    /**
     * {@link ClaimPort#reserve}, keyed or not. The same key being handed over by another request ({@link
     * ClaimPort.InProgress}): looked at again every {@link #IN_PROGRESS_POLL} until it is finished (its answer is
     * replayed) or abandoned (this claim reserves anew), at most two handoff timeouts and a little.
     */
    private ClaimPort.Attempt reserve(ClaimCommand command, String name, Instant now) {
        if (command.idempotencyKey().isEmpty()) {
            return claims.reserve(command.preset(), command.owner(), name, now);
        }
        Instant giveUp = now.plus(handoffTimeout.multipliedBy(HANDOFF_ATTEMPTS)).plusSeconds(5);
        while (true) {
            Instant at = Clocks.now(clock);
            ClaimPort.Attempt attempt = claims.reserve(command.preset(), command.owner(), name, at, command.idempotencyKey().get());
            if (!(attempt instanceof ClaimPort.InProgress)) {
                return attempt;
            }
            if (at.isAfter(giveUp)) {
                throw new io.warmpool.application.port.out.ConflictException("a claim with Idempotency-Key '"
                        + command.idempotencyKey().get() + "' is still being handed over; try again later with the same key");
            }
            try {
                Thread.sleep(IN_PROGRESS_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a claim with the same Idempotency-Key", e);
            }
        }
    }

    /**
     * R12 step 2 for {@code reservation}, the {@code attempt}-th prebuild of this claim: asks the provisioner (bounded
     * by the handoff timeout), then finishes or abandons the reservation; after a first failure, reserves the next
     * eligible prebuild and tries once more. The future completes on the provisioner's (or the timer's) thread.
     *
     * @param arrived when the claim arrived
     * @param waited  the claim's arrival when it waited (its miss was recorded then), or empty
     */
    private CompletableFuture<Attempt> handOver(ClaimCommand command, ClaimPort.Reservation reservation, int attempt,
                                                Instant arrived, Optional<WaitingClaims.Arrival> waited) {
        ProvisionRequest request = ProvisionRequest.claim("claim-" + reservation.id().text() + "-"
                        + reservation.reservedAt().toEpochMilli(), reservation.id(), reservation.preset(),
                reservation.name(), reservation.owner(), command.parameters(), reservation.outputs());
        return bounded(request).thenApply(result -> {
            if (result instanceof ProvisionResult.Succeeded ok) {
                Map<String, String> merged = new LinkedHashMap<>(reservation.outputs());
                merged.putAll(ok.outputs());
                Instant now = Clocks.now(clock);
                Optional<ClaimPort.ClaimedWorkspace> done = claims.finish(reservation, merged, now);
                if (done.isPresent()) {
                    return CompletableFuture.completedFuture(succeeded(command, done.get(), arrived, waited, attempt));
                }
                return failed(command, reservation, attempt, arrived, waited, "the handoff finished after the claim "
                        + "timeout (" + io.warmpool.domain.Durations.format(handoffTimeout) + "); the reservation had been reaped");
            }
            return failed(command, reservation, attempt, arrived, waited, describe(result));
        }).thenCompose(f -> f);
    }

    /** The provisioner's claim transition, completed with a failure after the handoff timeout at the latest. */
    private CompletableFuture<ProvisionResult> bounded(ProvisionRequest request) {
        CompletableFuture<ProvisionResult> out = new CompletableFuture<>();
        TimerPort.Cancellable deadline = timer.every(handoffTimeout, () -> out.complete(new ProvisionResult.Failed(
                "the claim handoff did not finish within the claim timeout (" + io.warmpool.domain.Durations.format(handoffTimeout) + ")",
                false, "")));
        out.whenComplete((r, e) -> deadline.cancel());
        try {
            provisioner.provision(request).whenComplete((r, e) -> out.complete(e == null ? r
                    : new ProvisionResult.Failed("the claim handoff failed: " + PassPlanner.describe(e), false, "")));
        } catch (RuntimeException e) {
            out.complete(new ProvisionResult.Failed("the claim handoff failed: " + PassPlanner.describe(e), false, ""));
        }
        return out;
    }

    private static String describe(ProvisionResult result) {
        if (result instanceof ProvisionResult.Failed f) {
            return f.error();
        }
        if (result instanceof ProvisionResult.Unavailable u) {
            return "the provisioner is unavailable: " + u.reason();
        }
        return "the provisioner answered a claim with " + result.getClass().getSimpleName();
    }

    private Attempt succeeded(ClaimCommand command, ClaimPort.ClaimedWorkspace w, Instant arrived,
                              Optional<WaitingClaims.Arrival> waited, int attempt) {
        Instant now = w.claimedAt();
        if (waited.isEmpty()) {
            metrics.claimFinished(w.preset(), true, Duration.between(arrived, Clocks.now(clock)));
        }
        Event event = Event.of(now, EventType.CLAIM_SUCCEEDED, w.preset(), w.id())
                .with("owner", command.owner()).with("name", w.name()).with("handoff_attempt", Integer.toString(attempt));
        if (waited.isPresent()) {
            event = event.with("waited_ms", Long.toString(Duration.between(waited.get().arrived(), now).toMillis()));
        }
        followUps.handOver(event, w.preset());
        return answer(new ClaimPort.Claimed(w));
    }

    /** A failed handoff: abandon the reservation, publish it, and try the next prebuild once. */
    private CompletableFuture<Attempt> failed(ClaimCommand command, ClaimPort.Reservation reservation, int attempt,
                                              Instant arrived, Optional<WaitingClaims.Arrival> waited, String error) {
        Instant now = Clocks.now(clock);
        boolean abandoned = false;
        try {
            abandoned = claims.abandon(reservation, now);
        } catch (RuntimeException e) {
            // The reservation stays 'claiming' and is reaped after the claim timeout by any replica.
            LOG.warn("abandoning the reservation of " + reservation.id() + " failed (it will be reaped): "
                    + PassPlanner.describe(e));
        }
        LOG.warn("the claim handoff of " + reservation.id() + " (" + reservation.preset() + ") to "
                + reservation.owner() + " failed: " + error);
        if (abandoned) {
            // Published and nudged as a claim is: the deleted prebuild leaves the pool short. Not abandoned here: the
            // reaper did it (and published it), or will.
            followUps.handOver(claimFailed(now, reservation.preset(), reservation.id(), error)
                    .with("owner", command.owner()).with("handoff_attempt", Integer.toString(attempt)), reservation.preset());
        }
        if (attempt < HANDOFF_ATTEMPTS) {
            ClaimPort.Attempt next;
            try {
                // Under the key again (abandon forgot it), so that the second try is stored as the first one was.
                next = command.idempotencyKey().isEmpty()
                        ? claims.reserve(command.preset(), command.owner(), reservation.name(), now)
                        : claims.reserve(command.preset(), command.owner(), reservation.name(), now, command.idempotencyKey().get());
            } catch (RuntimeException e) {
                LOG.warn("reserving a second prebuild for a failed handoff failed: " + PassPlanner.describe(e));
                next = null;
            }
            if (next instanceof ClaimPort.Reserved reserved) {
                return handOver(command, reserved.reservation(), attempt + 1, arrived, waited);
            }
            if (next instanceof ClaimPort.Claimed replayed) {
                // Another request with the same key finished its own claim meanwhile: that is this key's answer.
                return CompletableFuture.completedFuture(answer(replayed));
            }
        }
        metrics.claimHandoffFailed(reservation.preset(), Duration.between(arrived, now));
        String tried = attempt < HANDOFF_ATTEMPTS ? "; no other prebuild was eligible for a second try" : "";
        return CompletableFuture.completedFuture(new HandoffFailed(reservation.preset(), attempt, error + tried));
    }

    private static Event claimFailed(Instant now, io.warmpool.domain.PresetId preset, io.warmpool.domain.WorkspaceId id,
                                     String error) {
        return Event.of(now, EventType.CLAIM_FAILED, preset, id).with("error", error);
    }

    /** {@inheritDoc} Abandons reservations older than the claim timeout; one {@code CLAIM_FAILED} event each. */
    @Override
    public int reapStaleHandoffs() {
        Instant now = Clocks.now(clock);
        // A second of grace past the claim timeout, so that a live replica's own deadline (started just after its
        // reservation) normally abandons its reservation first, with the handoff's own error.
        List<ClaimPort.Abandoned> reaped = claims.reapReservations(now.minus(handoffTimeout).minus(REAP_GRACE), now);
        if (reaped.isEmpty()) {
            return 0;
        }
        List<Event> out = new ArrayList<>(reaped.size());
        for (ClaimPort.Abandoned a : reaped) {
            out.add(claimFailed(now, a.preset(), a.workspace(), "reserved at " + a.reservedAt() + " and not handed over "
                    + "within the claim timeout (" + io.warmpool.domain.Durations.format(handoffTimeout) + "): its replica stopped or lost it"));
        }
        events.publish(out);
        return reaped.size();
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
