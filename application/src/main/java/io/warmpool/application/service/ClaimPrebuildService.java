package io.warmpool.application.service;

import io.warmpool.application.port.in.ClaimCommand;
import io.warmpool.application.port.in.ClaimPrebuildUseCase;
import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.IdGeneratorPort;
import io.warmpool.application.port.out.MetricsPort;
import io.warmpool.application.port.out.NudgePort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/** Claims (A3). Thread-safe; concurrency safety of the hand-over itself is the {@link ClaimPort}'s contract. */
public final class ClaimPrebuildService implements ClaimPrebuildUseCase {

    private static final Logger LOG = Logger.getLogger(ClaimPrebuildService.class.getName());

    private final Clock clock;
    private final ClaimPort claims;
    private final NudgePort nudges;
    private final IdGeneratorPort ids;
    private final EventSinkPort events;
    private final MetricsPort metrics;

    public ClaimPrebuildService(Clock clock, ClaimPort claims, NudgePort nudges, IdGeneratorPort ids,
                                EventSinkPort events, MetricsPort metrics) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.claims = Objects.requireNonNull(claims, "claims");
        this.nudges = Objects.requireNonNull(nudges, "nudges");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public ClaimPort.Attempt claim(ClaimCommand command) {
        Instant now = Clocks.now(clock);
        String name = command.name().orElseGet(() -> defaultName(command));
        ClaimPort.Attempt attempt = claims.claim(command.preset(), command.owner(), name, now);
        Instant done = Clocks.now(clock);
        boolean hit = attempt instanceof ClaimPort.Claimed;
        metrics.claimFinished(attempt.preset(), hit, Duration.between(now, done));
        if (attempt instanceof ClaimPort.Claimed claimed) {
            events.publish(List.of(Event.of(now, EventType.CLAIM_SUCCEEDED, attempt.preset(), claimed.workspace().id())
                    .with("owner", command.owner()).with("name", claimed.workspace().name())));
        } else {
            events.publish(List.of(Event.of(now, EventType.CLAIM_MISSED, attempt.preset(), null)
                    .with("owner", command.owner())));
        }
        // A claim (or a miss) means the pool is short now: reconcile it without waiting for the next tick.
        try {
            nudges.nudge(attempt.preset());
        } catch (RuntimeException e) {
            LOG.warning(() -> "nudge after claim failed (the next pass will catch up): " + PassPlanner.describe(e));
        }
        return attempt;
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
