package io.warmpool.adapters.db;

import static io.warmpool.adapters.db.jooq.Tables.EVENTS;
import static io.warmpool.adapters.db.jooq.Tables.PRESETS;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATES;
import static io.warmpool.adapters.db.jooq.Tables.TEMPLATE_VERSIONS;

import io.warmpool.application.port.out.Event;
import io.warmpool.application.port.out.EventRetentionPort;
import io.warmpool.application.port.out.EventSinkPort;
import io.warmpool.application.port.out.EventType;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log in the {@code events} table: {@link EventSinkPort} for writing, {@link #recent} for reading,
 * {@link EventRetentionPort} for pruning.
 *
 * <p>{@link #publish} never throws (port contract: a lost event must never undo or block the work it
 * describes): a failed write is logged as a warning and the events are dropped.
 */
public final class JooqEventLogAdapter implements EventSinkPort, EventRetentionPort {

    /** The most events {@link #recent} returns at once. */
    public static final int MAX_RECENT = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(JooqEventLogAdapter.class);

    private final DSLContext dsl;
    private final PresetIds presetIds;

    /**
     * The events as parallel arrays, one statement whatever their number: a constant text, so it is neither
     * rendered nor planned per call (rendering the multi-row insert was most of an event's JVM time on the claim
     * path). Instants cross as ISO-8601 text, details as JSON text; rows are inserted in array order.
     */
    static final String INSERT_SQL = """
            insert into events (at, type, preset_id, workspace_id, details)
            select e.at::timestamptz, e.type, e.preset_id, e.workspace_id, e.details::jsonb
            from unnest(?::text[], ?::text[], ?::int8[], ?::uuid[], ?::text[]) with ordinality
                 as e(at, type, preset_id, workspace_id, details, n)
            order by e.n""";

    /**
     * The oldest {@code limit} events before a cutoff, found by the {@code events_by_time} index on {@code at} (a
     * range scan that stops after {@code limit} entries), deleted by primary key. {@code = any(array(…))}, not
     * {@code in (select …)}: for the latter PostgreSQL chose a hash semi-join over a sequential scan of the whole
     * table (about 350 ms per batch at 2M events, growing with the table); this way it is two index scans, about
     * 20 ms per batch of 10,000 whatever the table's size (docs/decisions.md). Bound values, a constant text.
     */
    static final String DELETE_BEFORE_SQL = """
            delete from events
            where id = any(array(select id from events where at < ?::timestamptz order by at limit ?))""";

    JooqEventLogAdapter(DSLContext dsl, PresetIds presetIds) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
    }

    /**
     * Writes all {@code events} with one multi-row insert (plus at most one query to map preset identities to
     * rows the first time they are seen), in list order, so their ids follow that order. Events of a preset that
     * does not exist are dropped with a warning. Never throws.
     */
    @Override
    public void publish(List<Event> events) {
        if (events == null || events.isEmpty()) {
            return;
        }
        try {
            Set<PresetId> presets = new LinkedHashSet<>();
            events.forEach(e -> presets.add(e.preset()));
            Map<PresetId, Long> rows = presetIds.rowIds(dsl, presets);
            int unknown = 0;
            int added = 0;
            String[] at = new String[events.size()];
            String[] type = new String[events.size()];
            Long[] preset = new Long[events.size()];
            UUID[] workspace = new UUID[events.size()];
            String[] details = new String[events.size()];
            for (Event e : events) {
                Long presetRow = rows.get(e.preset());
                if (presetRow == null) {
                    unknown++;
                    continue;
                }
                at[added] = e.at().toString();
                type[added] = e.type().wire();
                preset[added] = presetRow;
                workspace[added] = e.workspace() == null ? null : e.workspace().value();
                details[added] = Json.ordered(e.details()).data();
                added++;
            }
            if (unknown > 0) {
                int n = unknown;
                LOG.warn("dropped " + n + " event(s) of presets that do not exist");
            }
            if (added > 0) {
                int count = added;
                dsl.connection(connection -> {
                    try (PreparedStatement ps = connection.prepareStatement(INSERT_SQL)) {
                        ps.setArray(1, connection.createArrayOf("text", Arrays.copyOf(at, count)));
                        ps.setArray(2, connection.createArrayOf("text", Arrays.copyOf(type, count)));
                        ps.setArray(3, connection.createArrayOf("int8", Arrays.copyOf(preset, count)));
                        ps.setArray(4, connection.createArrayOf("uuid", Arrays.copyOf(workspace, count)));
                        ps.setArray(5, connection.createArrayOf("text", Arrays.copyOf(details, count)));
                        ps.executeUpdate();
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("could not write " + events.size() + " event(s) to the event log, dropped: " + DbErrors.describe(e));
        }
    }

    /**
     * The latest {@code limit} events, newest first (by {@code at}, then by write order), read in one query.
     * Details come back with their keys in jsonb's storage order, not the order they were published in.
     *
     * @param limit 1…{@value #MAX_RECENT}
     * @throws IllegalArgumentException when {@code limit} is out of range
     * @throws io.warmpool.application.port.out.StoreUnavailableException when the database fails
     */
    public List<Event> recent(int limit) {
        if (limit < 1 || limit > MAX_RECENT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_RECENT + ", got " + limit);
        }
        return DbErrors.guard("reading the event log", () -> {
            List<Event> out = new ArrayList<>(limit);
            dsl.select(EVENTS.AT, EVENTS.TYPE, TEMPLATES.NAME, TEMPLATE_VERSIONS.NAME, PRESETS.NAME,
                            EVENTS.WORKSPACE_ID, EVENTS.DETAILS)
                    .from(EVENTS)
                    .join(PRESETS).on(PRESETS.ID.eq(EVENTS.PRESET_ID))
                    .join(TEMPLATE_VERSIONS).on(TEMPLATE_VERSIONS.ID.eq(PRESETS.VERSION_ID))
                    .join(TEMPLATES).on(TEMPLATES.ID.eq(TEMPLATE_VERSIONS.TEMPLATE_ID))
                    .orderBy(EVENTS.AT.desc(), EVENTS.ID.desc())
                    .limit(limit)
                    .forEach(r -> {
                        EventType type = typeOf(r.value2());
                        if (type != null) {
                            out.add(toEvent(r.value1(), type, new PresetId(r.value3(), r.value4(), r.value5()),
                                    r.value6(), r.value7()));
                        }
                    });
            return out;
        });
    }

    /**
     * One {@code delete} statement in its own transaction (autocommit), see {@link #DELETE_BEFORE_SQL}.
     */
    @Override
    public int deleteEventsBefore(Instant before, int limit) {
        Objects.requireNonNull(before, "before");
        if (limit < 1 || limit > MAX_BATCH) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_BATCH + ", got " + limit);
        }
        return DbErrors.guard("pruning the event log", () -> dsl.connectionResult(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(DELETE_BEFORE_SQL)) {
                ps.setString(1, before.toString());
                ps.setInt(2, limit);
                return ps.executeUpdate();
            }
        }));
    }

    private static Event toEvent(Instant at, EventType type, PresetId preset, UUID workspace, JSONB details) {
        return new Event(at, type, preset, workspace == null ? null : new WorkspaceId(workspace), Json.map(details));
    }

    /** A type written by a newer version may be unknown here: skip it rather than fail the whole read. */
    private static EventType typeOf(String wire) {
        try {
            return EventType.valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
