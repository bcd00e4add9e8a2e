package io.warmpool.adapters.db;

import io.warmpool.application.port.out.ClaimPort;
import io.warmpool.application.port.out.ClaimWaitersPort;
import io.warmpool.application.port.out.NotFoundException;
import io.warmpool.application.port.out.NudgePort;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.PresetRef;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Waiting claims on the {@code claim_waiters} table (migration V6) and the channel
 * {@value PostgresNudgeAdapter#READY_CHANNEL}: {@link #claimInTurn} is {@link JooqWorkspaceAdapter#CLAIM_SQL} with
 * the queue's rule added in the same statement (so two replicas cannot reorder the queue: the check and the take
 * see one snapshot, and the waiter's row goes in the same commit); the migration's trigger announces every prebuild
 * that becomes eligible, in the transaction that made it so.
 */
final class PostgresClaimWaitersAdapter implements ClaimWaitersPort {

    /** The first key of the per-preset advisory lock {@link #join} takes (the second is the preset's row id). */
    static final int JOIN_LOCK_CLASS = 0x77616974; // "wait"

    private final DSLContext dsl;
    private final PresetIds presetIds;
    private final PostgresNudgeAdapter channel;

    PostgresClaimWaitersAdapter(DSLContext dsl, PresetIds presetIds, PostgresNudgeAdapter channel) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.presetIds = Objects.requireNonNull(presetIds, "presetIds");
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /** {@inheritDoc} One transaction: the preset's advisory lock, a clean-up of its expired rows, count and insert. */
    @Override
    public OptionalLong join(PresetId preset, Instant now, Instant expiresAt, int maxWaiters) {
        Objects.requireNonNull(preset, "preset");
        String at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS).toString();
        String until = Objects.requireNonNull(expiresAt, "expiresAt").truncatedTo(ChronoUnit.MILLIS).toString();
        return DbErrors.guard("joining the waiting claims of " + preset, () -> {
            Long rowId = presetIds.rowIds(dsl, List.of(preset)).get(preset);
            if (rowId == null) {
                throw new NotFoundException("preset " + preset + " does not exist");
            }
            return dsl.transactionResult(cfg -> {
                DSLContext tx = DSL.using(cfg);
                tx.fetch("select pg_advisory_xact_lock(?, ?)", JOIN_LOCK_CLASS, (int) (rowId ^ (rowId >>> 32)));
                tx.execute("delete from claim_waiters where preset_id = ? and expires_at <= ?::timestamptz", rowId, at);
                Optional<Long> id = tx.resultQuery("""
                        insert into claim_waiters (preset_id, expires_at)
                        select ?, ?::timestamptz
                        where (select count(*) from claim_waiters where preset_id = ?) < ?
                        returning id""", rowId, until, rowId, maxWaiters)
                        .fetchOptional(0, Long.class);
                return id.map(OptionalLong::of).orElseGet(OptionalLong::empty);
            });
        });
    }

    /**
     * {@link JooqWorkspaceAdapter#CLAIM_SQL} with {@code older}: the earliest expiry of the preset's live waiters
     * older than this one (null when there are none). The prebuild is taken only when it is null, and the waiter's
     * row is deleted only when one was taken. Bound: template, preset, waiter, now, owner, name, now, waiter.
     */
    static final String CLAIM_IN_TURN_SQL = """
            with preset as (
            """ + ClaimSql.ACTIVE_PRESET + """
            ), older as (
                select min(o.expires_at) as until from claim_waiters o
                where o.preset_id = (select id from preset) and o.id < ? and o.expires_at > ?::timestamptz
            ), claimed as (
                update workspaces w set owner = ?, name = ?, claimed_at = ?::timestamptz
                where w.id = (
                        select c.id from workspaces c
                        where c.preset_id = (select id from preset where not inactive)
                          and (select until from older) is null
            """ + ClaimSql.TAKE_OLDEST_ELIGIBLE_PREBUILD + """
                returning w.id, w.created_at, w.outputs
            ), served as (
                delete from claim_waiters s where s.id = ? and exists (select 1 from claimed)
            )
            select preset.id, preset.version, claimed.id, (extract(epoch from claimed.created_at) * 1000000)::bigint,
                   claimed.outputs::text, (extract(epoch from older.until) * 1000000)::bigint
            from preset cross join older left join claimed on true""";

    /**
     * {@link #CLAIM_IN_TURN_SQL} that reserves ({@link ClaimSql#RESERVE_SET}) instead of handing over. Bound:
     * template, preset, waiter, now, now, now, waiter.
     */
    static final String RESERVE_IN_TURN_SQL = CLAIM_IN_TURN_SQL.replace(
            "update workspaces w set owner = ?, name = ?, claimed_at = ?::timestamptz", "update workspaces w" + ClaimSql.RESERVE_SET);

    @Override
    public Turn claimInTurn(long waiter, PresetRef preset, String owner, String name, Instant now) {
        return inTurn(false, waiter, preset, owner, name, now);
    }

    @Override
    public Turn reserveInTurn(long waiter, PresetRef preset, String owner, String name, Instant now) {
        return inTurn(true, waiter, preset, owner, name, now);
    }

    private Turn inTurn(boolean reserve, long waiter, PresetRef preset, String owner, String name, Instant now) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        Instant at = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MILLIS);
        if (io.warmpool.application.port.out.WorkspacePort.PREBUILDS_OWNER.equals(owner)) {
            throw new IllegalArgumentException("a workspace cannot be claimed by the built-in owner " + owner);
        }
        return DbErrors.guard("claiming a prebuild of " + preset + " for a waiting claim", () -> {
            Turn turn = dsl.connectionResult(connection -> {
                String text = at.toString();
                try (PreparedStatement ps = connection.prepareStatement(reserve ? RESERVE_IN_TURN_SQL : CLAIM_IN_TURN_SQL)) {
                    int i = 0;
                    ps.setString(++i, preset.template());
                    ps.setString(++i, preset.preset());
                    ps.setLong(++i, waiter);
                    ps.setString(++i, text);
                    if (!reserve) {
                        ps.setString(++i, owner);
                        ps.setString(++i, name);
                    }
                    ps.setString(++i, text);
                    ps.setString(++i, text);
                    ps.setLong(++i, waiter);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return null;
                        }
                        ClaimPort.Attempt attempt = reserve
                                ? ClaimSql.reservation(rs, preset, owner, name, at, Optional.empty(), presetIds)
                                : ClaimSql.attempt(rs, preset, owner, name, at, presetIds);
                        if (!(attempt instanceof ClaimPort.Missed)) {
                            return new Turn(attempt, Optional.empty());
                        }
                        long olderMicros = rs.getLong(6);
                        return new Turn(attempt, rs.wasNull() ? Optional.empty()
                                : Optional.of(Instant.EPOCH.plus(olderMicros, ChronoUnit.MICROS)));
                    }
                }
            });
            if (turn == null) {
                throw JooqWorkspaceAdapter.notFound(dsl, preset);
            }
            return turn;
        });
    }

    @Override
    public void leave(long waiter) {
        DbErrors.guardRun("leaving the waiting claims", () -> dsl.execute("delete from claim_waiters where id = ?", waiter));
    }

    @Override
    public void announce(PresetId preset) {
        channel.nudge(preset);
    }

    @Override
    public NudgePort.Subscription listen(Consumer<PresetId> listener) {
        return channel.subscribe(listener);
    }
}
