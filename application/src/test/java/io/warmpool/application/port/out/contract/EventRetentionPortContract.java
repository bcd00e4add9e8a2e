package io.warmpool.application.port.out.contract;

import static io.warmpool.application.port.out.contract.PortSeed.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.domain.PresetId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link EventRetentionPort}, with the events written through {@link EventSinkPort} for a preset the
 * store knows: bounded deletes of the oldest events strictly before a cutoff. What is checked goes through the ports
 * only — the count each call returns — so that the fake and PostgreSQL run the same tests.
 */
public abstract class EventRetentionPortContract extends PortContract {

    /** The event log of one implementation: where events are written and how they are pruned. */
    public record EventLog(EventSinkPort sink, EventRetentionPort retention) {
    }

    /** The event log over the same data as {@link #store} (called after {@link #newStore()}). */
    protected abstract EventLog eventLog();

    private EventLog log;
    private PresetId small;

    @BeforeEach
    void openLog() {
        log = eventLog();
        small = seed.preset("python-dev", "small", Map.of("cpu", "2"));
    }

    private void publishAt(Instant... instants) {
        for (Instant at : instants) {
            log.sink().publish(List.of(Event.of(at, EventType.CLAIM_MISSED, small, null)));
        }
    }

    @Test
    void givenNoEvents_nothingIsDeleted() {
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(60), 10)).isZero();
    }

    @Test
    void deletesOnlyEventsStrictlyBeforeTheCutoff_atMostLimitPerCall() {
        publishAt(T0, T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(4));

        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(3), 2)).isEqualTo(2);
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(3), 2)).as("fewer than the limit: none left before")
                .isEqualTo(1);
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(3), 2)).isZero();
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(60), 10)).as("the two at and after the cutoff stayed")
                .isEqualTo(2);
    }

    @Test
    void anEventAtTheCutoffIsKept() {
        publishAt(T0);

        assertThat(log.retention().deleteEventsBefore(T0, 10)).isZero();
        assertThat(log.retention().deleteEventsBefore(T0.plusMillis(1), 10)).isEqualTo(1);
    }

    @Test
    void theOldestGoFirst_whateverTheOrderTheyWereWrittenIn() {
        publishAt(T0.plusSeconds(5), T0.plusSeconds(1), T0.plusSeconds(3));

        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(10), 1)).isEqualTo(1);

        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(2), 10)).as("the one at +1s went first").isZero();
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(4), 10)).isEqualTo(1);
        assertThat(log.retention().deleteEventsBefore(T0.plusSeconds(10), 10)).isEqualTo(1);
    }

    @Test
    void aLimitOutsideOneToMaxBatch_isRejected() {
        assertThatThrownBy(() -> log.retention().deleteEventsBefore(T0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.retention().deleteEventsBefore(T0, EventRetentionPort.MAX_BATCH + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(log.retention().deleteEventsBefore(T0, EventRetentionPort.MAX_BATCH)).isZero();
    }
}
