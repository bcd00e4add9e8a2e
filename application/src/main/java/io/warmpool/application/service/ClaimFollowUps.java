package io.warmpool.application.service;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * What follows a claim, once it has been stored: its event, and a nudge for its preset. Concurrent claims hand them
 * over in groups: one {@link EventSinkPort#publish} call (for the event log, one multi-row insert) for all the
 * events that arrived while the previous group was being handed over, and one nudge per distinct preset of the
 * group ({@link NudgePort#nudgeAll}, one statement), instead of an insert and a nudge per claim. No thread of its
 * own: a caller that finds no group under way hands over, and keeps handing over until nothing is left; a caller
 * that finds one under way leaves its follow-up to that caller and returns at once.
 *
 * <p>Guarantees: every event is published exactly once, in the order the claims handed them over, and every
 * preset is nudged after its claim was stored (the nudge that covers a claim is sent after the claim was queued
 * here). A follow-up is handed over by the time the caller handing it over returns, so once every claim has
 * returned, every follow-up has been handed over; a lone claim hands over its own, before it returns, exactly as
 * one {@code publish} and one {@link NudgePort#nudge} call. A group is at most {@value #MAX_GROUP} claims. A nudge
 * that fails is logged and dropped (a lost nudge only delays the work to the next pass).
 */
final class ClaimFollowUps {

    static final int MAX_GROUP = 1_000;

    private static final Logger LOG = Logger.getLogger(ClaimFollowUps.class.getName());

    private record FollowUp(Event event, PresetId preset) {
    }

    private final EventSinkPort events;
    private final NudgePort nudges;
    private final ConcurrentLinkedQueue<FollowUp> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean handingOver = new AtomicBoolean();

    ClaimFollowUps(EventSinkPort events, NudgePort nudges) {
        this.events = Objects.requireNonNull(events, "events");
        this.nudges = Objects.requireNonNull(nudges, "nudges");
    }

    /** Publishes {@code event} and nudges {@code preset}, or leaves both to the caller already doing so. */
    void handOver(Event event, PresetId preset) {
        pending.add(new FollowUp(Objects.requireNonNull(event, "event"), Objects.requireNonNull(preset, "preset")));
        // The flag is cleared before the queue is looked at again: a follow-up queued while this caller was handing
        // over is either seen here, or its own caller finds the flag clear and hands it over itself.
        while (!pending.isEmpty() && handingOver.compareAndSet(false, true)) {
            try {
                List<Event> group = new ArrayList<>();
                Set<PresetId> presets = new LinkedHashSet<>();
                for (FollowUp f = pending.poll(); f != null; f = group.size() < MAX_GROUP ? pending.poll() : null) {
                    group.add(f.event());
                    presets.add(f.preset());
                }
                publish(group);
                nudge(presets);
            } finally {
                handingOver.set(false);
            }
        }
    }

    private void publish(List<Event> group) {
        try {
            events.publish(group);
        } catch (RuntimeException e) {
            // The port must not throw; if a sink does anyway, the claims it describes still stand.
            LOG.warning(() -> "publishing " + group.size() + " claim event(s) failed, dropped: " + PassPlanner.describe(e));
        }
    }

    private void nudge(Set<PresetId> presets) {
        try {
            if (presets.size() == 1) {
                nudges.nudge(presets.iterator().next());
            } else {
                nudges.nudgeAll(presets);
            }
        } catch (RuntimeException e) {
            LOG.warning(() -> "nudge after claim failed (the next pass will catch up): " + PassPlanner.describe(e));
        }
    }
}
