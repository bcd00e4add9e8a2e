package io.warmpool.application.service;

import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.Attempt;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.Full;
import io.warmpool.application.port.in.ClaimPrebuildUseCase.TimedOut;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's waiting claims (SPEC R12 {@code wait}). A waiter is a row of {@link ClaimWaitersPort} (its place
 * in the queue across replicas) and a future here. Nothing polls: one subscription per replica (opened with the first
 * waiter) hears every prebuild of a preset that becomes eligible and every announcement that a waiter left, and
 * then the preset's local waiters try again, oldest first, until one misses (nothing eligible, or an older waiter of
 * another replica comes first). A waiter served or timed out announces its preset, so the waiters behind it, on
 * every replica, try again; a waiter blocked by an older one also tries again when that one's row expires (its
 * replica may have died).
 *
 * <p>All attempts, timeouts and wake-ups of this replica run on one daemon thread, one at a time: a waiter never
 * holds a request thread, and two attempts of the same replica never race each other. Thread-safe.
 */
final class WaitingClaims implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingClaims.class);
    /** After an older waiter's expiry, a little slack before trying again (clocks of replicas differ slightly). */
    private static final Duration AFTER_EXPIRY = Duration.ofMillis(50);

    /** One waiting claim. */
    private record Waiter(long number, ClaimCommand command, String name, PresetId preset, Instant arrived,
                          CompletableFuture<Attempt> future) {
    }

    private final Clock clock;
    private final ClaimWaitersPort port;
    private final MetricsPort metrics;
    private final ClaimWaitSettings settings;
    /**
     * Turns a claim the port served ({@link ClaimPort.Claimed}, or {@link ClaimPort.Reserved} with a handoff) into the
     * use case's answer, publishing its event (the service's part; a handoff completes later).
     */
    private final BiFunction<Arrival, ClaimPort.Attempt, CompletableFuture<Attempt>> served;
    /** Whether a waiter's turn reserves (claim handoff, SPEC R12) rather than takes the prebuild. */
    private final boolean reserve;
    private final Map<PresetRef, ConcurrentSkipListMap<Long, Waiter>> waiting = new ConcurrentHashMap<>();
    // Guarded by this: the thread and subscription, opened with the first waiter and closed by close().
    private ExecutorService thread;
    private NudgePort.Subscription subscription;
    private boolean closed;

    /** What the service sees of a served waiter. */
    record Arrival(ClaimCommand command, Instant arrived) {
    }

    WaitingClaims(Clock clock, ClaimWaitersPort port, MetricsPort metrics, ClaimWaitSettings settings, boolean reserve,
                  BiFunction<Arrival, ClaimPort.Attempt, CompletableFuture<Attempt>> served) {
        this.reserve = reserve;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.port = Objects.requireNonNull(port, "port");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.served = Objects.requireNonNull(served, "served");
    }

    /**
     * Joins the queue of {@code preset} for a claim that found nothing eligible at {@code arrived}; the future
     * completes when it is served, times out, or at once when the queue is full.
     */
    CompletableFuture<Attempt> await(ClaimCommand command, String name, PresetId preset, Instant arrived) {
        Duration wait = command.maxWait().orElseThrow();
        ExecutorService executor = started();
        OptionalLong number = port.join(preset, arrived, arrived.plus(wait), settings.maxWaitersPerPreset());
        if (number.isEmpty()) {
            metrics.claimWaited(preset, "full", Duration.ZERO);
            return CompletableFuture.completedFuture(new Full(preset, settings.maxWaitersPerPreset()));
        }
        Waiter w = new Waiter(number.getAsLong(), command, name, preset, arrived, new CompletableFuture<>());
        // Added inside the map's atomic compute: remove() drops a queue that became empty in the same way, so a waiter
        // can never land in a queue that was just dropped.
        waiting.compute(preset.ref(), (r, q) -> {
            ConcurrentSkipListMap<Long, Waiter> queue = q == null ? new ConcurrentSkipListMap<>() : q;
            queue.put(w.number(), w);
            return queue;
        });
        // A prebuild may have become ready between the miss and the join (its notification found no waiter here).
        run(executor, () -> drain(preset.ref()));
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, executor).execute(() -> expire(w));
        return w.future();
    }

    private synchronized ExecutorService started() {
        if (closed) {
            throw new IllegalStateException("the service is stopping: claims no longer wait");
        }
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "warmpool-claim-waiters");
                t.setDaemon(true);
                return t;
            });
            ExecutorService executor = thread;
            subscription = port.listen(preset -> {
                if (waiting.containsKey(preset.ref())) {
                    run(executor, () -> drain(preset.ref()));
                }
            });
        }
        return thread;
    }

    private static void run(ExecutorService executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // stopping: close() answers every waiter
        }
    }

    /** On the waiters' thread: the preset's waiters try, oldest first, until one misses. */
    private void drain(PresetRef ref) {
        ConcurrentSkipListMap<Long, Waiter> queue = waiting.get(ref);
        if (queue == null) {
            return;
        }
        for (Waiter w : new ArrayList<>(queue.values())) {
            if (w.future().isDone()) {
                continue;
            }
            Instant now = Clocks.now(clock);
            ClaimWaitersPort.Turn turn;
            try {
                turn = reserve ? port.reserveInTurn(w.number(), ref, w.command().owner(), w.name(), now)
                        : port.claimInTurn(w.number(), ref, w.command().owner(), w.name(), now);
            } catch (RuntimeException e) {
                // The store is unavailable or the preset went away: the waiter keeps waiting for the next wake-up or
                // its timeout, which answers it.
                LOG.warn("a waiting claim of " + ref + " could not try: " + PassPlanner.describe(e));
                return;
            }
            if (turn.attempt() instanceof ClaimPort.Claimed || turn.attempt() instanceof ClaimPort.Reserved) {
                remove(w);
                metrics.claimWaited(w.preset(), "served", Duration.between(w.arrived(), now));
                // With a handoff the answer comes when the provisioner has handed the workspace over, on its thread.
                served.apply(new Arrival(w.command(), w.arrived()), turn.attempt()).whenComplete((answer, error) -> {
                    if (error != null) {
                        w.future().completeExceptionally(error);
                    } else {
                        w.future().complete(answer);
                    }
                });
                announce(w.preset()); // the waiters behind it, on every replica, try the next prebuild
                continue;
            }
            turn.olderWaiterUntil().ifPresent(until -> {
                long millis = Math.max(0, Duration.between(now, until).plus(AFTER_EXPIRY).toMillis());
                ExecutorService executor = executorOrNull();
                if (executor != null) {
                    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS, executor).execute(() -> drain(ref));
                }
            });
            return;
        }
    }

    private synchronized ExecutorService executorOrNull() {
        return thread;
    }

    /** On the waiters' thread: the wait ran out. */
    private void expire(Waiter w) {
        if (w.future().isDone()) {
            return;
        }
        remove(w);
        leave(w);
        Duration waited = Duration.between(w.arrived(), Clocks.now(clock));
        metrics.claimWaited(w.preset(), "timed_out", waited);
        w.future().complete(new TimedOut(w.preset(), waited, settings.retryAfter()));
    }

    private void leave(Waiter w) {
        try {
            port.leave(w.number());
        } catch (RuntimeException e) {
            // Its row expires by itself: it blocks no one after its wait.
            LOG.warn("a waiting claim could not leave the queue (its row expires by itself): " + PassPlanner.describe(e));
        }
        announce(w.preset());
    }

    private void announce(PresetId preset) {
        try {
            port.announce(preset);
        } catch (RuntimeException e) {
            LOG.warn("announcing to the waiters of " + preset + " failed: " + PassPlanner.describe(e));
        }
    }

    private void remove(Waiter w) {
        waiting.computeIfPresent(w.preset().ref(), (r, q) -> {
            q.remove(w.number());
            return q.isEmpty() ? null : q;
        });
    }

    /** Waiting claims of this replica (for tests and metrics). */
    int size() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Stops: every waiter still waiting leaves the queue and is answered {@link TimedOut}; the subscription and the
     * thread end. Idempotent.
     */
    @Override
    public void close() {
        ExecutorService executor;
        NudgePort.Subscription sub;
        synchronized (this) {
            closed = true;
            executor = thread;
            sub = subscription;
            thread = null;
            subscription = null;
        }
        if (sub != null) {
            sub.close();
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Waiter> left = new ArrayList<>();
        waiting.values().forEach(q -> left.addAll(q.values()));
        waiting.clear();
        for (Waiter w : left) {
            if (!w.future().isDone()) {
                leave(w);
                Duration waited = Duration.between(w.arrived(), Clocks.now(clock));
                metrics.claimWaited(w.preset(), "timed_out", waited);
                w.future().complete(new TimedOut(w.preset(), waited, settings.retryAfter()));
            }
        }
    }
}
