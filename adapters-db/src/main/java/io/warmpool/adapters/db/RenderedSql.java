package io.warmpool.adapters.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.EnumType;
import org.jooq.JSONB;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.impl.DSL;

/**
 * A statement written with jOOQ's typed DSL, rendered by jOOQ once, and run as a plain JDBC
 * {@link PreparedStatement} with its values bound — for the hottest paths (a worker taking and completing jobs),
 * where building, rendering and binding the same statement anew through jOOQ on every call cost the JVM more CPU
 * than PostgreSQL spends running it. The SQL is still jOOQ's (same dialect and settings, checked against the
 * generated schema at compile time); values are always bound, never inlined.
 *
 * <p>Arguments are the named parameters {@link #arg(int, Class) arg(0, …)}, {@code arg(1, …)}, … in the query; an
 * argument may appear several times. Every other value of the query must be inlined ({@link DSL#inline}), which
 * {@link #of} checks. Thread-safe and immutable.
 */
final class RenderedSql {

    private static final String PREFIX = "warmpool_arg_";
    private static final Pattern ARG = Pattern.compile(":" + PREFIX + "(\\d+)(?![0-9A-Za-z_])");

    private final String sql;
    /** For each JDBC parameter (0-based), the argument it takes. */
    private final int[] slots;
    private final int arguments;

    private RenderedSql(String sql, int[] slots, int arguments) {
        this.sql = sql;
        this.slots = slots;
        this.arguments = arguments;
    }

    /** The {@code index}th argument of a statement, as a jOOQ bind parameter of {@code type}. */
    static <T> Param<T> arg(int index, Class<T> type) {
        return DSL.param(PREFIX + index, type);
    }

    /**
     * Renders {@code query} with {@code dsl}'s dialect and settings.
     *
     * @throws IllegalArgumentException when the query binds a value that is not an {@link #arg}
     */
    static RenderedSql of(DSLContext dsl, Query query) {
        String named = dsl.renderNamedParams(query);
        int binds = dsl.extractBindValues(query).size();
        Matcher m = ARG.matcher(named);
        StringBuilder sql = new StringBuilder(named.length());
        List<Integer> slots = new ArrayList<>();
        int max = -1;
        while (m.find()) {
            int index = Integer.parseInt(m.group(1));
            slots.add(index);
            max = Math.max(max, index);
            m.appendReplacement(sql, "?");
        }
        m.appendTail(sql);
        if (slots.size() != binds) {
            throw new IllegalArgumentException("every bound value must be an arg(…): " + binds + " binds, "
                    + slots.size() + " args in " + named);
        }
        return new RenderedSql(sql.toString(), slots.stream().mapToInt(Integer::intValue).toArray(), max + 1);
    }

    String sql() {
        return sql;
    }

    /** Prepares the statement on {@code connection} with {@code args} bound; the caller closes it. */
    PreparedStatement prepare(Connection connection, Object... args) throws SQLException {
        if (args.length != arguments) {
            throw new IllegalArgumentException("expected " + arguments + " arguments, got " + args.length);
        }
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < slots.length; i++) {
                bind(ps, i + 1, args[slots[i]]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Runs the statement on the connection of {@code ctx} (its transaction's, if any) and reads its first row. */
    <T> T first(DSLContext ctx, RowReader<T> reader, Object... args) {
        return ctx.connectionResult(c -> {
            try (PreparedStatement ps = prepare(c, args); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? reader.read(rs) : null;
            }
        });
    }

    private static void bind(PreparedStatement ps, int i, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.OTHER); // the rendered SQL casts where the type is not clear from the context
        } else if (value instanceof Instant instant) {
            ps.setObject(i, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else if (value instanceof String s) {
            ps.setString(i, s);
        } else if (value instanceof Long l) {
            ps.setLong(i, l);
        } else if (value instanceof Integer n) {
            ps.setInt(i, n);
        } else if (value instanceof UUID uuid) {
            ps.setObject(i, uuid);
        } else if (value instanceof JSONB json) {
            ps.setString(i, json.data());
        } else if (value instanceof EnumType e) {
            ps.setString(i, e.getLiteral());
        } else {
            throw new IllegalArgumentException("cannot bind a " + value.getClass().getName());
        }
    }

    /**
     * A {@code timestamptz} column as an {@link Instant}; null stays null. Read as a {@link java.sql.Timestamp}, an
     * absolute instant: PgJDBC builds an {@code OffsetDateTime} through new {@code ZoneRules} for every value.
     */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** A uuid column. */
    static UUID uuid(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, UUID.class);
    }

    /** A nullable integer column. */
    static Integer integer(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    @Override
    public String toString() {
        return Objects.toString(sql);
    }

    /** Reads one row of a result. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }
}
