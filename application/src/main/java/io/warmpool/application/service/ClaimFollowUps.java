package io.warmpool.application.service;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a claim, once it has been stored: its event, and a nudge for its preset. Concurrent claims hand them
 * over in groups, as a database commits a group of transactions: one {@link EventSinkPort#publish} call (for the
 * event log, one multi-row insert) for all the events queued while the previous group was being handed over, and
 * one nudge call for the group's distinct presets ({@link NudgePort#nudgeAll}, one statement), instead of an insert
 * and a nudge per claim. No thread of its own: the claiming threads take turns.
 *
 * <p>A caller that finds no hand-over under way becomes the <em>leader</em>: it takes everything queued (its own
 * follow-up included) as a group and hands it over, and then keeps taking groups while follow-ups it has been
 * left remain, for at most {@value #MAX_ROUNDS} groups. A caller that finds a leader within its first
 * {@value #MAX_ROUNDS} groups leaves its follow-up to it and returns at once (the leader will take it in one of
 * its remaining groups); a caller that finds a leader in its last group waits for that group and then finds its
 * follow-up handed over or leads the next group itself.
 *
 * <p>Guarantees: every event is published exactly once, in the order the claims queued them, and every preset is
 * nudged after its claim was stored (the nudge covering a claim is sent after the claim was queued here); a
 * follow-up left to a leader goes out within that leader's remaining groups, so once every claim has returned,
 * every follow-up has gone out; no caller is held for more than {@value #MAX_ROUNDS} groups (plus the one it waits
 * for); a lone claim hands over its own follow-up, before it returns, exactly as one {@code publish} and one
 * {@link NudgePort#nudge} call. A group is at most {@value #MAX_GROUP} claims. A nudge or publish that fails is
 * logged and dropped (a lost nudge only delays the work to the next pass).
 */
final class ClaimFollowUps {

    static final int MAX_GROUP = 1_000;
    /** The most groups one leader hands over before the callers queued behind it take over. */
    static final int MAX_ROUNDS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ClaimFollowUps.class);

    /** One claim's follow-up; its flags are guarded by the monitor of the {@link ClaimFollowUps}. */
    private static final class FollowUp {
        final Event event;
        final PresetId preset;
        boolean leftToLeader;
        boolean inGroup;
        boolean done;

        FollowUp(Event event, PresetId preset) {
            this.event = event;
            this.preset = preset;
        }
    }

    private final EventSinkPort events;
    private final NudgePort nudges;
    // Guarded by this: the queue, whether a leader is handing over, how many groups it has started, and how many
    // queued follow-ups were left to it (it keeps going while there are any). A follow-up is left to the leader
    // only while it is still queued and the leader has groups to spare, so the count always falls back to zero.
    private final ArrayDeque<FollowUp> pending = new ArrayDeque<>();
    private boolean leading;
    private int rounds;
    private int leftToLeader;

    ClaimFollowUps(EventSinkPort events, NudgePort nudges) {
        this.events = Objects.requireNonNull(events, "events");
        this.nudges = Objects.requireNonNull(nudges, "nudges");
    }

    /** Publishes {@code event} and nudges {@code preset}, or leaves both to the claiming thread doing so. */
    void handOver(Event event, PresetId preset) {
        FollowUp mine = new FollowUp(Objects.requireNonNull(event, "event"), Objects.requireNonNull(preset, "preset"));
        boolean interrupted = false;
        synchronized (this) {
            pending.add(mine);
            while (true) {
                if (mine.done) {
                    restoreInterrupt(interrupted);
                    return;
                }
                if (!leading) {
                    leading = true;
                    rounds = 0;
                    break;
                }
                if (!mine.inGroup && rounds < MAX_ROUNDS) {
                    mine.leftToLeader = true; // the leader takes it in a group it has yet to start
                    leftToLeader++;
                    restoreInterrupt(interrupted);
                    return;
                }
                try {
                    wait(); // for the group holding mine, or for the leader's last group
                } catch (InterruptedException e) {
                    interrupted = true; // the claim is stored: its follow-up still goes out
                }
            }
        }
        try {
            boolean more = true;
            while (more) {
                List<FollowUp> group = new ArrayList<>();
                synchronized (this) {
                    rounds++;
                    for (FollowUp f = pending.poll(); f != null; f = group.size() < MAX_GROUP ? pending.poll() : null) {
                        group.add(f);
                        f.inGroup = true;
                        if (f.leftToLeader) {
                            leftToLeader--;
                        }
                    }
                }
                try {
                    handOver(group);
                } finally {
                    synchronized (this) {
                        group.forEach(f -> f.done = true);
                        more = leftToLeader > 0;
                        notifyAll();
                    }
                }
            }
        } finally {
            synchronized (this) {
                leading = false;
                notifyAll();
            }
            restoreInterrupt(interrupted);
        }
    }

    private static void restoreInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follow-ups queued and not yet taken into a group (for tests). */
    synchronized int queued() {
        return pending.size();
    }

    private void handOver(List<FollowUp> group) {
        List<Event> published = new ArrayList<>(group.size());
        Set<PresetId> presets = new LinkedHashSet<>();
        for (FollowUp f : group) {
            published.add(f.event);
            presets.add(f.preset);
        }
        publish(published);
        nudge(presets);
    }

    private void publish(List<Event> group) {
        try {
            events.publish(group);
        } catch (RuntimeException e) {
            // The port must not throw; if a sink does anyway, the claims it describes still stand.
            LOG.warn("publishing " + group.size() + " claim event(s) failed, dropped: " + PassPlanner.describe(e));
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
            LOG.warn("nudge after claim failed (the next pass will catch up): " + PassPlanner.describe(e));
        }
    }
}
