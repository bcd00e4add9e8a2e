package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.EVENTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.application.port.out.PresetStorePort;
import io.warmpool.application.port.out.StoreUnavailableException;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.definition.PresetDefinition;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.TemplateDefinition;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JooqEventLogAdapter} against real PostgreSQL. Database-only: one insert per batch and one delete per
 * pruning call, events of presets the database does not know dropped, never throwing when the database is gone or
 * rejects a row, and reading the log back ({@code recent}, the adapter's own). What the pruning port promises on
 * every implementation is {@code EventRetentionPortContract} ({@link PostgresEventRetentionContractTest}, and on
 * the fake in application).
 */
class EventLogDatabaseTest extends DatabaseTestBase {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final PresetId SMALL = new PresetId("python-dev", "v3", "small");
    private static final PresetId LARGE = new PresetId("python-dev", "v3", "large");


    private final List<String> statements = new ArrayList<>();
    private JooqEventLogAdapter events;



    @BeforeEach
    void setUp() {
        PresetIds presetIds = new PresetIds();
        PresetStorePort store = new JooqPresetStoreAdapter(db.dsl(), presetIds, Clock.fixed(T0, ZoneOffset.UTC));
        store.apply(new PresetsDocument(List.of(new TemplateDefinition("python-dev", "v3", false, false, List.of(
                new PresetDefinition("small", Map.of("cpu", "2"), PrebuildPolicy.of(1)),
                new PresetDefinition("large", Map.of("cpu", "8"), PrebuildPolicy.of(1)))))), T0);
        events = new JooqEventLogAdapter(counting(db.dsl()), presetIds);
    }

    /**
     * The adapter's context, recording the text of every statement it prepares — through jOOQ or on a connection
     * jOOQ lends it — by wrapping each connection it borrows.
     */
    private DSLContext counting(DSLContext dsl) {
        ConnectionProvider lender = dsl.configuration().connectionProvider();
        Map<Connection, Connection> lent = new IdentityHashMap<>();
        ConnectionProvider recording = new ConnectionProvider() {
            @Override
            public Connection acquire() {
                Connection real = lender.acquire();
                Connection recorded = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("prepareStatement") && args[0] instanceof String sql) {
                                statements.add(sql);
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                lent.put(recorded, real);
                return recorded;
            }

            @Override
            public void release(Connection connection) {
                lender.release(lent.remove(connection));
            }
        };
        return DSL.using(dsl.configuration().derive(recording));
    }

    @Test
    void publish_writesEveryEventWithOneInsert() {
        WorkspaceId ws = new WorkspaceId(UUID.fromString("00000000-0000-0000-0000-00000000000a"));
        List<Event> batch = List.of(
                Event.of(T0, EventType.CREATE_STARTED, SMALL, ws),
                Event.of(T0.plusMillis(5), EventType.CREATE_FAILED, SMALL, ws).with("error", "boom").with("code", "failed"),
                Event.of(T0.plusMillis(5), EventType.BACKOFF, SMALL, null).with("until", "2026-03-02T09:01:00Z"),
                Event.of(T0.plusMillis(7), EventType.CLAIM_MISSED, LARGE, null).with("owner", "alice"));

        events.publish(batch);

        assertThat(statements).hasSize(1);
        assertThat(statements.get(0)).startsWithIgnoringCase("insert into");
        var rows = db.dsl().select(EVENTS.AT, EVENTS.TYPE, EVENTS.WORKSPACE_ID,
                        DSL.field("{0}->>'error'", String.class, EVENTS.DETAILS),
                        DSL.field("{0}->>'until'", String.class, EVENTS.DETAILS))
                .from(EVENTS).orderBy(EVENTS.ID).fetch();
        assertThat(rows).hasSize(4);
        assertThat(rows.getValues(EVENTS.TYPE)).containsExactly("create_started", "create_failed", "backoff", "claim_missed");
        assertThat(rows.getValues(EVENTS.AT)).containsExactly(T0, T0.plusMillis(5), T0.plusMillis(5), T0.plusMillis(7));
        assertThat(rows.get(0).value3()).isEqualTo(ws.value());
        assertThat(rows.get(2).value3()).isNull();
        assertThat(rows.get(1).value4()).isEqualTo("boom");
        assertThat(rows.get(2).value5()).isEqualTo("2026-03-02T09:01:00Z");
        // preset_id points at the right preset rows
        assertThat(db.dsl().fetchOne("select count(distinct preset_id) from events").get(0, Integer.class)).isEqualTo(2);
    }

    @Test
    void publishNothing_executesNothing() {
        events.publish(List.of());
        assertThat(statements).isEmpty();
        assertThat(db.dsl().fetchCount(EVENTS)).isZero();
    }

    @Test
    void recent_returnsNewestFirst_withWhatWasPublished() {
        WorkspaceId ws = new WorkspaceId(UUID.fromString("00000000-0000-0000-0000-00000000000b"));
        Event first = Event.of(T0, EventType.CREATE_STARTED, SMALL, ws);
        Event second = Event.of(T0.plusSeconds(1), EventType.CREATE_SUCCEEDED, SMALL, ws).with("attempt", "1");
        Event third = Event.of(T0.plusSeconds(1), EventType.CLAIM_SUCCEEDED, SMALL, ws).with("owner", "bob").with("name", "dev");
        Event fourth = Event.of(T0.plusSeconds(2), EventType.PRESET_INVALIDATED, LARGE, null);
        events.publish(List.of(first, second));
        events.publish(List.of(third, fourth));

        // Same instant: the later write is the newer one.
        assertThat(events.recent(10)).containsExactly(fourth, third, second, first);
        assertThat(events.recent(2)).containsExactly(fourth, third);
    }

    @Test
    void publish_dropsEventsOfUnknownPresets_andKeepsTheRest() {
        PresetId ghost = new PresetId("ghost", "v1", "none");

        assertThatCode(() -> events.publish(List.of(
                Event.of(T0, EventType.CLAIM_MISSED, ghost, null),
                Event.of(T0, EventType.CLAIM_MISSED, SMALL, null)))).doesNotThrowAnyException();

        assertThat(events.recent(10)).extracting(Event::preset).containsExactly(SMALL);
    }

    @Test
    void publish_neverThrows_whenTheDatabaseIsGone() {
        PostgresDatabase doomed = TestDatabase.newDatabase();
        JooqEventLogAdapter sink = new JooqEventLogAdapter(doomed.dsl(), new PresetIds());
        doomed.close();

        assertThatCode(() -> sink.publish(List.of(Event.of(T0, EventType.CREATE_STARTED, SMALL, null))))
                .doesNotThrowAnyException();
    }

    @Test
    void publish_neverThrows_whenTheInsertFails() {
        // timestamptz ends in the year 294276: the insert fails inside PostgreSQL. (A NUL in the details used to be
        // the trigger here; details are now stored with NUL replaced, see LiteralTextContractTest.)
        Instant beyondTimestamptz = Instant.parse("+300000-01-01T00:00:00Z");
        assertThatCode(() -> events.publish(List.of(Event.of(beyondTimestamptz, EventType.CREATE_FAILED, SMALL, null)
                .with("error", "boom")))).doesNotThrowAnyException();
        assertThat(db.dsl().fetchCount(EVENTS)).isZero();
    }

    @Test
    void recent_rejectsLimitsOutOfRange() {
        assertThatThrownBy(() -> events.recent(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> events.recent(JooqEventLogAdapter.MAX_RECENT + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code count} events of SMALL, one per second from {@code from}, published in chunks of at most 1000. */
    private void publishEverySecond(Instant from, int count) {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(Event.of(from.plusSeconds(i), EventType.CLAIM_MISSED, SMALL, null).with("n", Integer.toString(i)));
            if (batch.size() == 1000) {
                events.publish(batch);
                batch = new ArrayList<>();
            }
        }
        events.publish(batch);
    }

    private static List<Instant> times() {
        return db.dsl().select(EVENTS.AT).from(EVENTS).orderBy(EVENTS.AT, EVENTS.ID).fetch(EVENTS.AT);
    }

    @Test
    void deleteEventsBefore_deletesOnlyOlderEvents_theOldestFirst_atMostLimitPerCall() {
        // given: ten events, one per second from T0; the cutoff is T0+6s
        publishEverySecond(T0, 10);
        Instant cutoff = T0.plusSeconds(6);
        statements.clear();

        // when: batches of 4
        int first = events.deleteEventsBefore(cutoff, 4);

        // then: the four oldest are gone, in one statement
        assertThat(first).isEqualTo(4);
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0)).startsWithIgnoringCase("delete from events");
        assertThat(times()).first().isEqualTo(T0.plusSeconds(4));

        // and: the next call deletes the two left before the cutoff (fewer than the limit: none older left)
        assertThat(events.deleteEventsBefore(cutoff, 4)).isEqualTo(2);
        assertThat(events.deleteEventsBefore(cutoff, 4)).isZero();
        // and: the event exactly at the cutoff and the younger ones are kept
        assertThat(times()).containsExactly(T0.plusSeconds(6), T0.plusSeconds(7), T0.plusSeconds(8), T0.plusSeconds(9));
    }

    @Test
    void deleteEventsBefore_aBacklogLargerThanOneBatch_isDeletedOverSeveralCalls_eachBounded() {
        // given: 25,000 events older than the cutoff (2.5 batches of the largest size) and 3 younger
        publishEverySecond(T0, 25_000);
        Instant cutoff = T0.plusSeconds(25_000);
        publishEverySecond(cutoff, 3);

        // when: calls with the largest batch until one deletes fewer
        List<Integer> deleted = new ArrayList<>();
        int n;
        do {
            n = events.deleteEventsBefore(cutoff, EventRetentionPort.MAX_BATCH);
            deleted.add(n);
        } while (n == EventRetentionPort.MAX_BATCH);

        // then: three calls, none over the bound; only the young events are left
        assertThat(deleted).containsExactly(10_000, 10_000, 5_000);
        assertThat(times()).containsExactly(cutoff, cutoff.plusSeconds(1), cutoff.plusSeconds(2));
    }

    @Test
    void deleteEventsBefore_onAnEmptyLog_deletesNothing() {
        assertThat(events.deleteEventsBefore(T0, 10)).isZero();
    }

    @Test
    void deleteEventsBefore_rejectsLimitsOutOfRange() {
        assertThatThrownBy(() -> events.deleteEventsBefore(T0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> events.deleteEventsBefore(T0, EventRetentionPort.MAX_BATCH + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteEventsBefore_throwsStoreUnavailable_whenTheDatabaseIsGone() {
        PostgresDatabase doomed = TestDatabase.newDatabase();
        JooqEventLogAdapter log = new JooqEventLogAdapter(doomed.dsl(), new PresetIds());
        doomed.close();

        assertThatThrownBy(() -> log.deleteEventsBefore(T0, 10)).isInstanceOf(StoreUnavailableException.class);
    }
}
