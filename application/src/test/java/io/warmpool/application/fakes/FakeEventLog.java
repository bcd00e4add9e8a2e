package io.warmpool.application.fakes;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * {@link EventRetentionPort} over an in-memory event log of instants, kept oldest first, recording every call; events
 * published through {@link EventSinkPort} add their instants. The store can be made to fail, and a hook runs after
 * each call (to move a clock, or check the lock). Keeps {@code EventRetentionPortContract}
 * ({@link FakeEventRetentionContractTest}).
 */
public final class FakeEventLog implements EventRetentionPort, EventSinkPort {

    /** The events' instants, oldest first. */
    public final List<Instant> events = new ArrayList<>();
    /** The cutoff and limit of every call, in order. */
    public final List<Call> calls = new ArrayList<>();
    public boolean failing;
    public IntConsumer afterEachCall = n -> { };

    public record Call(Instant before, int limit, int deleted) {
    }

    /** {@code count} events, one per {@code stepSeconds} from {@code from}. */
    public void add(Instant from, int count, long stepSeconds) {
        for (int i = 0; i < count; i++) {
            events.add(from.plusSeconds(i * stepSeconds));
        }
        events.sort(null);
    }

    @Override
    public synchronized void publish(List<Event> published) {
        published.forEach(e -> events.add(e.at()));
        events.sort(null);
    }

    @Override
    public synchronized int deleteEventsBefore(Instant before, int limit) {
        if (limit < 1 || limit > MAX_BATCH) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_BATCH + ", got " + limit);
        }
        if (failing) {
            throw new StoreUnavailableException("pruning the event log failed: the store is down", null);
        }
        int n = 0;
        while (n < limit && !events.isEmpty() && events.get(0).isBefore(before)) {
            events.remove(0);
            n++;
        }
        calls.add(new Call(before, limit, n));
        afterEachCall.accept(n);
        return n;
    }
}
